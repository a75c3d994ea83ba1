"""The brand: colours, fonts, logo and legal text that style the note, the charts and the email,
read from a brand file and checked (contrast, logo size, what an SVG may hold).

Public: `Brand`, `DEFAULT_BRAND`, `load_brand`, `LoadedBrand`. Each is
imported when first asked for (`briefgen.lazy`)."""

from briefgen.lazy import public_names

__all__ = ["DEFAULT_BRAND", "Brand", "LoadedBrand", "load_brand"]
__getattr__ = public_names(__name__, {
    "LoadedBrand": "load",
    "load_brand": "load",
    "DEFAULT_BRAND": "model",
    "Brand": "model",
})
