"""PDF: WeasyPrint with a URL fetcher that reaches only allowed files, tagging (PDF/UA), and the
forked printer that lays a page out while the charts are drawn. WeasyPrint is imported only when
a PDF is made.

Public: `html_to_pdf`, `warm_up`."""

from briefgen.pdf.weasy import html_to_pdf, warm_up

__all__ = ["html_to_pdf", "warm_up"]
