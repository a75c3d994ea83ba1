"""Is a brand's text readable? WCAG 2.x contrast of the colour pairs the note and the email print.

Each pair is a colour the templates set text (or a chart's marks) in, on a background they set
it on. Body-size text needs 4.5:1 (WCAG 1.4.3, AA); the accent is used only for chart series,
rules and list markers, which need 3:1 against white (1.4.11, non-text contrast). The lighter
palette colours (earlier quarters' bars, whose values are printed beside them) are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.brand.model import Colours

BODY = 4.5  # WCAG AA, text below 18 pt (14 pt bold): all the note's small print
GRAPHIC = 3.0  # WCAG AA, chart marks and rules
WHITE = "#FFFFFF"


@dataclass(frozen=True)
class Pair:
    foreground: str  # a `Colours` field, or "white"
    background: str
    minimum: float
    use: str  # where the note prints it


PAIRS = (
    Pair("text", "white", BODY, "body text"),
    Pair("text", "tint", BODY, "text in boxes and table headers"),
    Pair("muted", "white", BODY, "captions, sources, running header and footer"),
    Pair("muted", "tint", BODY, "labels in the key-data and rating boxes"),
    Pair("primary", "white", BODY, "headings, links and † marks"),
    Pair("primary", "tint", BODY, "table headers and † marks in boxes"),
    Pair("white", "primary", BODY, "the email's masthead bar"),
    Pair("positive", "white", BODY, "gains and beats in tables"),
    Pair("positive", "tint", BODY, "gains in boxes"),
    Pair("negative", "white", BODY, "losses and misses in tables"),
    Pair("negative", "tint", BODY, "losses in boxes"),
    Pair("accent", "white", GRAPHIC, "the second chart series and highlights"),
)


def luminance(colour: str) -> float:
    """Relative luminance of `#RRGGBB` (WCAG 2.x)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(first: str, second: str) -> float:
    """The contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class LowContrast:
    pair: Pair
    foreground: str  # the colours, as #RRGGBB
    background: str
    ratio: float

    @property
    def key(self) -> str:
        """The brand key to change: the one of the pair the brand file sets (the caller
        knows), by default the foreground."""
        return self.pair.foreground if self.pair.foreground != "white" else self.pair.background

    def message(self) -> str:
        def name(key: str, colour: str) -> str:
            return "white" if key == "white" else f"{key} {colour}"

        return (f"{name(self.pair.foreground, self.foreground)} on "
                f"{name(self.pair.background, self.background)} has a contrast of "
                f"{self.ratio:.2f}:1, below {self.pair.minimum:g}:1 for {self.pair.use}")


def low_contrast(colours: Colours) -> list[LowContrast]:
    """Every pair of `colours` below its WCAG AA minimum, in `PAIRS` order."""
    def colour(key: str) -> str:
        return WHITE if key == "white" else str(getattr(colours, key))

    found = []
    for pair in PAIRS:
        fg, bg = colour(pair.foreground), colour(pair.background)
        value = ratio(fg, bg)
        # Rounded as people quote it: 4.49:1 fails AA, and is printed as 4.49, not 4.5.
        if value < pair.minimum and round(value, 2) < pair.minimum:
            found.append(LowContrast(pair, fg, bg, value))
    return found
