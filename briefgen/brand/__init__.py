"""The brand: colours, fonts, logo and legal text that style the note, the charts and the email,
read from a brand file and checked (contrast, logo size, what an SVG may hold).

Public: `Brand`, `DEFAULT_BRAND`, `load_brand`, `LoadedBrand`."""

from briefgen.brand.load import LoadedBrand, load_brand
from briefgen.brand.model import DEFAULT_BRAND, Brand

__all__ = ["DEFAULT_BRAND", "Brand", "LoadedBrand", "load_brand"]
