"""The note: its model (tables, boxes, † marks), the one Jinja environment factory for note and
email templates, and the self-contained HTML.

Public: `render_page`, `Page`, `template_environment`, `cached_environment`."""

from briefgen.note.html import Page, render_page
from briefgen.note.templates import cached_environment, template_environment

__all__ = ["Page", "cached_environment", "render_page", "template_environment"]
