"""PDF: WeasyPrint with a URL fetcher that reaches only allowed files, tagging (PDF/UA), and the
forked printer that lays a page out while the charts are drawn. WeasyPrint is imported only when
a PDF is made.

Public: `html_to_pdf`, `warm_up`. Each is
imported when first asked for (`briefgen.lazy`)."""

from briefgen.lazy import public_names

__all__ = ["html_to_pdf", "warm_up"]
__getattr__ = public_names(__name__, {
    "html_to_pdf": "weasy",
    "warm_up": "weasy",
})
