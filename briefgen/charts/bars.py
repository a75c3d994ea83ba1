"""Horizontal bar charts with each value (and a muted note) written at the end of its bar: the
consensus, capex, data-centre and market charts of a note, in the house style of `chartstyle`.

The figure height follows the number of rows (`hbar_height`), so every bar chart of a note has the
same row pitch, and the x limits leave room for each bar's text (`fit_limits`) instead of letting
matplotlib clip it."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from briefgen.charts.style import (
    ChartStyle,
    add_axes,
    fit_line,
    nice_ticks,
    quiet_axes,
    strong,
    text_width_pt,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ROW_IN = 0.3  # one bar and the space around it
HBAR_BOTTOM_IN = 0.42
BAR_HEIGHT = 0.62  # of a row


@dataclass(frozen=True)
class BarRow:
    """One horizontal bar: a label at the left, the value (and a muted note) at its end."""

    label: str  # may have a second line, drawn muted ("NYSE: BABA\n29 Aug 2025"); "" for none
    value: float
    text: str  # the value as the note writes it; "" draws no bar, only the note
    role: str  # "primary", "context", "comparator", "positive" or "negative"
    note: str = ""
    bold: bool = False
    hollow: bool = False  # outline only: an implied or derived figure
    space_before: float = 0.0  # extra space above the row, in rows: separates groups


def role_color(style: ChartStyle, role: str) -> str:
    colors = {"primary": style.color(0), "context": style.color(2), "comparator": style.comparator,
              "positive": style.positive, "negative": style.negative}
    return colors[role]


def hbar_height(rows: list[BarRow], top: float) -> float:
    """Figure height in inches: the same row pitch in every bar chart of the note."""
    units = len(rows) + sum(row.space_before for row in rows) + 0.4
    return round(top + HBAR_BOTTOM_IN + ROW_IN * units, 2)


def wrap_to_width(items: list[str], style: ChartStyle, width_pt: float, max_lines: int = 2) -> str:
    """`a, b, c` broken into lines no wider than `width_pt`; what does not fit is counted."""
    size = style.font_size - 0.5

    def fits(words: list[str]) -> bool:
        return text_width_pt(", ".join(words), style, size) <= width_pt

    lines: list[list[str]] = [[]]
    for index, item in enumerate(items):
        if not lines[-1] or fits([*lines[-1], item]):
            lines[-1].append(item)
        elif len(lines) < max_lines:
            lines.append([item])
        else:
            rest = len(items) - index
            while len(lines[-1]) > 1 and not fits([*lines[-1], f"and {rest} more"]):
                lines[-1].pop()
                rest += 1
            lines[-1].append(f"and {rest} more")
            break
    return ",\n".join(", ".join(line) for line in lines)


def fit_limits(values: list[float], label_pt: list[float], axes_pt: float) -> tuple[float, float]:
    """x limits that leave room for each bar's label beyond its end (in points)."""
    low, high = min(0.0, *values), max(0.0, *values)
    if low == high:
        high = 1.0
    for _ in range(8):  # each side's room depends on the other's limit: converge
        new_low, new_high = low, high
        for value, label in zip(values, label_pt, strict=True):
            room = max(axes_pt - label, axes_pt * 0.25)  # points left for the bar itself
            if value >= 0:
                new_high = max(new_high, low + (value - low) * axes_pt / room)
            else:
                new_low = min(new_low, high - (high - value) * axes_pt / room)
        if (new_low, new_high) == (low, high):
            break
        low, high = new_low, new_high
    return low, high


def draw_hbars(fig: Figure, style: ChartStyle, rows: list[BarRow], *, xlabel: str, top: float,
               tick_suffix: str = "", integer: bool = False,
               side: list[tuple[tuple[str, ...], int]] | None = None,
               side_title: str | None = None) -> Axes:
    """Bars top to bottom; `side` puts a column of text (first line bold, coloured by sign) to the
    right of each group of rows (a group starts at each labelled row)."""
    from matplotlib.ticker import FuncFormatter

    small = style.font_size - 0.5
    width = fig.get_size_inches()[0]
    rows = [_fitted(row, style, width * 72) for row in rows]
    label_pt = max((text_width_pt(line, style, small) for row in rows
                    for line in row.label.split("\n") if line), default=0.0)
    side_lines = [line for lines, _ in (side or []) for line in lines] + [side_title or ""]
    side_pt = max(text_width_pt(line, style, small, strong(style)) for line in side_lines)
    left = max(0.45, label_pt / 72 + 0.15)
    right = 0.1 + (side_pt / 72 + 0.2 if side else 0.0)
    ax = add_axes(fig, left=left, right=right, top=top, bottom=HBAR_BOTTOM_IN)
    quiet_axes(ax, style, grid=None)  # every bar carries its value; grid lines would cross them

    ys, y = [], 0.0
    for index, row in enumerate(rows):
        y -= row.space_before if index else 0.0
        ys.append(y)
        y -= 1.0
    ends = []
    for row in rows:
        value_pt = text_width_pt(row.text, style, small, strong(style) if row.bold else "normal")
        note_pt = max((text_width_pt(line, style, small) for line in row.note.split("\n")),
                      default=0.0)
        ends.append(3 + value_pt + (4 + note_pt if row.note else 0.0))
    axes_pt = (width - left - right) * 72
    low, high = fit_limits([row.value for row in rows], ends, axes_pt)
    ax.set_xlim(low, high)
    ax.set_ylim(ys[-1] - 0.7, 0.7)

    for row, y in zip(rows, ys, strict=True):
        if row.text and row.hollow:
            ax.barh(y, row.value, height=BAR_HEIGHT, facecolor="white", edgecolor=style.muted,
                    linewidth=0.8, linestyle=(0, (2.5, 1.5)), zorder=2)
        elif row.text:
            ax.barh(y, row.value, height=BAR_HEIGHT, color=role_color(style, row.role), zorder=2)
        sign = -1 if row.value < 0 else 1
        align = "right" if sign < 0 else "left"
        offset = 3.0
        if row.text:
            weight = strong(style) if row.bold else "normal"
            ax.annotate(row.text, (row.value, y), xytext=(sign * offset, 0),
                        textcoords="offset points", ha=align, va="center_baseline", fontsize=small,
                        fontweight=weight)
            offset += text_width_pt(row.text, style, small, weight) + 4
        if row.note:
            ax.annotate(row.note, (row.value, y), xytext=(sign * offset, 0),
                        textcoords="offset points", ha=align, va="center_baseline", fontsize=small,
                        color=style.muted, linespacing=1.15)
        first, *more = row.label.split("\n") if row.label else [""]
        lift = 4.5 if more else 0.0
        ax.annotate(first, (0, y), xycoords=("axes fraction", "data"), xytext=(-8, lift),
                    textcoords="offset points", ha="right", va="center", fontsize=small)
        for n, line in enumerate(more, start=1):
            ax.annotate(line, (0, y), xycoords=("axes fraction", "data"),
                        xytext=(-8, lift - 9.5 * n), textcoords="offset points", ha="right",
                        va="center", fontsize=small - 0.5, color=style.muted)

    values = [row.value for row in rows if row.text]
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values), 4, integer=integer)
    ax.set_xticks(ticks)
    ax.spines["bottom"].set_bounds(ticks[0], ticks[-1])
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}{tick_suffix}"))
    ax.set_xlabel(xlabel)
    ax.xaxis.label.set_x(((ticks[0] + ticks[-1]) / 2 - low) / (high - low))
    ax.axvline(0, color=style.muted, linewidth=0.6, zorder=3)
    if side:
        _side_column(ax, style, rows, ys, side, side_title)
    return ax


# Of the figure's width: the most a bar's label (left) and its note (right of the bar) may take.
LABEL_SHARE, NOTE_SHARE = 0.35, 0.45


def _fitted(row: BarRow, style: ChartStyle, width_pt: float) -> BarRow:
    """`row` with each line of its label and note cut to fit its share of the chart."""
    small = style.font_size - 0.5

    def fit(text: str, share: float, keep_end: bool = False) -> str:
        return "\n".join(fit_line(line, style, small, width_pt * share, keep_end=keep_end)
                         for line in text.split("\n"))

    # A figure with no single value (a range's is NaN) draws no bar, only its text: an axis
    # cannot reach NaN or infinity.
    value = row.value if math.isfinite(row.value) else 0.0
    # A label names its row: cut in the middle, so rows whose names start alike stay apart.
    return replace(row, value=value, label=fit(row.label, LABEL_SHARE, keep_end=True),
                   note=fit(row.note, NOTE_SHARE))


def _side_column(ax: Axes, style: ChartStyle, rows: list[BarRow], ys: list[float],
                 side: list[tuple[tuple[str, ...], int]], title: str | None) -> None:
    small = style.font_size - 0.5
    starts = [index for index, row in enumerate(rows) if row.label] + [len(rows)]
    colors = {1: style.positive, -1: style.negative, 0: style.text_color}
    where = ("axes fraction", "data")
    for (lines, sign), start, stop in zip(side, starts, starts[1:], strict=False):
        centre = sum(ys[start:stop]) / (stop - start)
        for n, line in enumerate(lines):
            lift = (len(lines) - 1) * 5.0 - 10.0 * n
            ax.annotate(line, (1, centre), xycoords=where, xytext=(12, lift),
                        textcoords="offset points", ha="left", va="center", fontsize=small,
                        fontweight=strong(style) if n == 0 else "normal",
                        color=colors[sign] if n == 0 else style.muted)
    if title:
        ax.annotate(title, (1, 1), xycoords="axes fraction", xytext=(12, 2),
                    textcoords="offset points", ha="left", va="bottom", fontsize=small,
                    color=style.muted)
