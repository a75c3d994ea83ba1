"""The note: its model (tables, boxes, † marks), the one Jinja environment factory for note and
email templates, and the self-contained HTML.

Public: `render_page`, `Page`, `template_environment`, `cached_environment`. Each is
imported when first asked for (`briefgen.lazy`)."""

from briefgen.lazy import public_names

__all__ = ["Page", "cached_environment", "render_page", "template_environment"]
__getattr__ = public_names(__name__, {
    "Page": "html",
    "render_page": "html",
    "cached_environment": "templates",
    "template_environment": "templates",
})
