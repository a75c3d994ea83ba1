"""PDF: WeasyPrint with a URL fetcher that reaches only allowed files, and the forked printer."""
