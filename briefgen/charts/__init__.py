"""Charts: one function per chart kind, one house style from the brand (`style_for`), fonts added
to matplotlib once per process, deterministic SVG with real text. matplotlib is imported only when
a chart is drawn.

Public: `plan_charts`, `draw_charts`, `chart_png`, `style_for`, `Chart`, `ChartStyle`, each
imported when first asked for (`briefgen.lazy`)."""

from briefgen.lazy import public_names

__all__ = ["Chart", "ChartStyle", "chart_png", "draw_charts", "plan_charts", "style_for"]
__getattr__ = public_names(__name__, {
    "Chart": "draw",
    "chart_png": "draw",
    "draw_charts": "draw",
    "plan_charts": "draw",
    "ChartStyle": "style",
    "style_for": "style",
})
