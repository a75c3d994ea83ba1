"""The font features of each line of text set on its Pango layout without leaking them.

WeasyPrint 70 makes one Pango layout per piece of text it measures (~1,150 for the sample note)
and, for every one whose style asks for OpenType features (the note asks for tabular
numbers in its tables: ~470 per note), runs `Layout.setup`'s

    attr = font_config.font_features.setdefault(features, pango_attr_font_features_new(features))
    attr_list = pango_attr_list_new()
    pango_attr_list_insert(attr_list, attr)
    pango_layout_set_attributes(layout, attr_list)

`setdefault` builds a new attribute each time, and drops it unfreed when the cache has one; the
list is never unreferenced, so the layout's own reference, released with the layout, leaves it
(and what `set_text` adds to it: hyphenation and spacing attributes) alive forever. In a process
that prints note after note that is ~100 KiB of native memory per note that nothing returns
(measured 2026-12-03, the sample note, one process: RSS +10.5 MiB per 100 notes, the Python heap
flat; `malloc` in-use bytes grew by as much). A batch worker grew from 142 to 191 MiB over
1,000 briefs, which is why workers were replaced every 100 briefs; with this patch and
replacement off it stays at 134.4-134.6 MiB from brief 100 to 1,000.

`install()` has WeasyPrint's `setup` set no features (its `font_features` helper, which only
`setup` calls, answers "none") and sets them itself: a list of its own holding an attribute of
its own, owned by the layout alone, so both go with the layout. The text is laid out with the
same features in the same order: the PDF is byte for byte the same (tests/pdf/
test_fontfeatures.py, which also fails if memory grows again).

A patch of WeasyPrint internals, so: only on WeasyPrint 70.x (another version keeps its own
`setup`, leak and all), idempotent. Remove when WeasyPrint frees the attributes itself
(`weasyprint/text/line_break.py`, `Layout.setup`).
"""

from __future__ import annotations

from typing import Any

from briefgen.pdf.patching import Patch

_originals: tuple[Any, Any] | None = None  # WeasyPrint's `font_features` and `Layout.setup`


def _apply() -> bool:
    import weasyprint
    import weasyprint.text.line_break as line_break
    from weasyprint.text import fonts
    from weasyprint.text.ffi import pango

    if (not weasyprint.__version__.startswith("70.")
            or getattr(line_break, "font_features", None) is not fonts.font_features
            or not hasattr(line_break.Layout, "setup")):
        return False
    setup = line_break.Layout.setup

    def features_of(style: Any) -> bytes:
        found = fonts.font_features(
            style["font_kerning"], style["font_variant_ligatures"],
            style["font_variant_position"], style["font_variant_caps"],
            style["font_variant_numeric"], style["font_variant_alternates"],
            style["font_variant_east_asian"], style["font_feature_settings"])
        return ",".join(f"{key} {value}" for key, value in found.items()).encode()

    def setup_freeing_features(self: Any, style: Any) -> None:
        setup(self, style)  # lays nothing on: `font_features` below answers "none" to it
        features = features_of(style)
        if features:
            attributes = pango.pango_attr_list_new()
            pango.pango_attr_list_insert(attributes, pango.pango_attr_font_features_new(features))
            pango.pango_layout_set_attributes(self.layout, attributes)
            pango.pango_attr_list_unref(attributes)  # the layout's reference is the only one

    def no_features(*args: Any, **kwargs: Any) -> dict[str, int]:
        return {}

    global _originals
    _originals = (fonts.font_features, setup)
    line_break.font_features = no_features
    line_break.Layout.setup = setup_freeing_features
    return True


def _restore() -> None:
    """Give WeasyPrint its own `setup` back (the tests compare the two)."""
    global _originals
    import weasyprint.text.line_break as line_break

    assert _originals is not None  # `Patch` restores only what `_apply` patched
    line_break.font_features, line_break.Layout.setup = _originals
    _originals = None


_PATCH = Patch(_apply, _restore)
install, installed, uninstall = _PATCH.install, _PATCH.installed, _PATCH.uninstall
