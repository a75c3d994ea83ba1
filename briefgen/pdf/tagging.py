"""Two gaps in WeasyPrint 70's tagged PDF, closed for the note (PDF/UA-1 is briefgen's default).

1. Table header cells carry no `Scope`. WeasyPrint links every data cell to its headers
   (`Headers`/`ID`) but writes no `/Scope` on a `TH`; readers that follow scope instead (and the
   issue that asked for it) expect `/Column` or `/Row`. We add it from the HTML's `scope`.
2. The running header and footer (CSS page-margin boxes) are drawn as tagged `Span`s whose
   structure elements are left out of the tree (WeasyPrint's comment: an artifact "is only
   allowed in PDF 2.0" there). Content marked with an MCID that no reachable element owns is
   what PDF/UA checkers reject, and a screen reader would never reach "Page 2 of 4" anyway:
   we draw page-margin content as `/Artifact` marked content instead, and leave it out of the
   structure tree.

Both are patches of WeasyPrint internals (`weasyprint.pdf.tags._build_box_tree`,
`weasyprint.document.draw_page`, `Stream.marked`), so: only on WeasyPrint 70.x (any other
version keeps its own tagging, which is valid but without these two), idempotent, and guarded
by tests (tests/pdf/test_tagged.py checks a Scope on every TH and that no MCID is orphaned,
and that `installed()` is true). Remove when WeasyPrint writes Scope and artifacts for margin
boxes itself (upstream: Kozea/WeasyPrint, pdf/tags.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from briefgen.pdf.patching import Patch

_ARTIFACT = "_briefgen_page_artifact"  # set on every box drawn inside a page-margin box


def _apply() -> bool:
    import weasyprint
    import weasyprint.document as document_module
    import weasyprint.pdf.tags as tags_module
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf.stream import Stream

    if not weasyprint.__version__.startswith("70.") or not hasattr(tags_module,
                                                                  "_build_box_tree"):
        return False

    build_box_tree = tags_module._build_box_tree

    def build(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        if isinstance(box, boxes.MarginBox):
            return  # drawn as an artifact: nothing of it is in the tree, no MCID to map
        for element in build_box_tree(box, parent, *args):
            if (element.get("S") == "/TH" and getattr(box, "element", None) is not None
                    and box.element_tag == "th" and "A" in element):
                scope = box.element.attrib.get("scope", "col")
                element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"
            yield element

    draw_page = document_module.draw_page

    def draw(page: Any, stream: Any) -> None:
        if getattr(stream, "_tags", None) is not None:
            for child in page.children:
                if isinstance(child, boxes.MarginBox):
                    _flag(child)
        draw_page(page, stream)

    marked = Stream.marked

    @contextmanager
    def marked_or_artifact(self: Any, box: Any, tag: str) -> Iterator[None]:
        if getattr(box, _ARTIFACT, False):
            with self.artifact():
                yield
        else:
            with marked(self, box, tag):
                yield

    tags_module._build_box_tree = build
    document_module.draw_page = draw
    Stream.marked = marked_or_artifact
    return True


_PATCH = Patch(_apply)
install, installed = _PATCH.install, _PATCH.installed


def _flag(box: Any) -> None:
    setattr(box, _ARTIFACT, True)
    for child in getattr(box, "children", ()):
        _flag(child)
