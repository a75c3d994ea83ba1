"""Charts: one function per chart kind, one house style from the brand (`style_for`), fonts added
to matplotlib once per process, deterministic SVG with real text. matplotlib is imported only when
a chart is drawn.

Public: `plan_charts`, `draw_charts`, `chart_png`, `style_for`, `Chart`, `ChartStyle`."""

from briefgen.charts.draw import Chart, chart_png, draw_charts, plan_charts
from briefgen.charts.style import ChartStyle, style_for

__all__ = ["Chart", "ChartStyle", "chart_png", "draw_charts", "plan_charts", "style_for"]
