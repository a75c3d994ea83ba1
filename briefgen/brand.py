"""The house style of a note: firm name, colours, font, and the legal text of the back page.

One `Brand` styles HTML, PDF and charts alike. `Brand()` is a neutral default so a desk can render
before it has a brand of its own; loading a brand from a YAML file comes later and validates with
this same model (unknown keys are errors, every field documented).

Colours and the font family end up inside CSS, so they are checked against strict patterns here:
a brand file can restyle a note but never inject markup or rules into it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

if TYPE_CHECKING:
    from briefgen.charts import ChartStyle

Colour = Annotated[
    str,
    StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$"),
    Field(description="A colour as #RRGGBB.", examples=["#1F3A5F"]),
]
FontFamily = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{0,63}$"),
    Field(description="A font family name (letters, digits, spaces, hyphens).", examples=["Inter"]),
]
LegalText = Annotated[str, StringConstraints(min_length=1, max_length=8000, strip_whitespace=True)]
ShortLine = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class BrandModel(BaseModel):
    """Unknown keys are errors: a typo in a brand file must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Colours(BrandModel):
    """The palette of the note and its charts."""

    primary: Colour = Field("#1F3A5F", description="Headline, rules and the main chart series.")
    accent: Colour = Field("#2A7F9E", description="Second chart series and highlights.")
    text: Colour = Field("#1B1F24", description="Body text.")
    muted: Colour = Field("#5B6675", description="Captions, sources, running header and footer.")
    rule: Colour = Field("#D3D9E1", description="Table rules and box borders.")
    tint: Colour = Field("#F2F5F8", description="Background of boxes and table headers.")
    positive: Colour = Field("#1B7A3E", description="Gains and beats.")
    negative: Colour = Field("#B3261E", description="Losses and misses.")
    palette: tuple[Colour, ...] = Field(
        ("#1F3A5F", "#2A7F9E", "#8FB3C9", "#C9A227", "#7A8794"),
        min_length=2,
        description="Chart series colours, in order.",
    )


class RatingDefinition(BrandModel):
    """What one rating means on this desk."""

    rating: ShortLine = Field(description="The rating as printed, e.g. 'Buy'.")
    meaning: ShortLine = Field(description="What it means, e.g. 'expected total return > 10%'.")


DEFAULT_DISCLAIMER = (
    "This note is provided for information only and does not constitute an offer or solicitation "
    "to buy or sell any security. It is based on public information believed to be reliable, but "
    "its accuracy and completeness are not guaranteed. Opinions and estimates are as of the date "
    "of the note and may change without notice. Past performance is not a guide to future "
    "returns. Investors should make their own decisions and seek independent advice."
)
DEFAULT_CERTIFICATION = (
    "The analyst(s) named on this note certify that the views expressed accurately reflect their "
    "personal views about the subject company and its securities, and that no part of their "
    "compensation was, is or will be directly or indirectly related to the specific "
    "recommendations or views in this note."
)
DEFAULT_RATINGS = (
    RatingDefinition(rating="Buy", meaning="expected total return above 10% over the horizon"),
    RatingDefinition(rating="Hold", meaning="expected total return between −10% and +10%"),
    RatingDefinition(rating="Sell", meaning="expected total return below −10% over the horizon"),
    RatingDefinition(rating="Not rated", meaning="no rating or price target is published"),
)


class Brand(BrandModel):
    """The house style and legal text of every note a desk sends."""

    firm_name: ShortLine = Field("Equity Research", description="Firm name in the masthead.")
    note_label: ShortLine = Field(
        "Results note", description="What kind of note this is, shown beside the firm name."
    )
    colours: Colours = Field(default_factory=Colours, description="Palette of note and charts.")
    font_family: FontFamily = Field(
        "Inter",
        description="Font for text and charts. 'Inter' is bundled and embedded; any other family "
        "must be installed where notes are rendered.",
    )
    short_disclaimer: ShortLine = Field(
        "For information only; not an offer to buy or sell securities. See the last page.",
        description="One line for the footer of every page.",
    )
    disclaimer: LegalText = Field(DEFAULT_DISCLAIMER, description="The back-page disclaimer.")
    analyst_certification: LegalText = Field(
        DEFAULT_CERTIFICATION, description="The analyst certification on the back page."
    )
    rating_definitions: tuple[RatingDefinition, ...] = Field(
        DEFAULT_RATINGS, description="What each rating means, listed on the back page."
    )
    rating_basis: ShortLine = Field(
        "Ratings are relative to the stock's expected total return over 12 months.",
        description="Horizon and benchmark the ratings refer to.",
    )

    def chart_style(self) -> ChartStyle:
        """The same brand, as the charts module wants it."""
        from briefgen.charts import ChartStyle  # charts pull in matplotlib: import when drawn

        return ChartStyle(
            font_family=self.font_family,
            text_color=self.colours.text,
            grid_color=self.colours.rule,
            palette=self.colours.palette,
            positive=self.colours.positive,
            negative=self.colours.negative,
        )


DEFAULT_BRAND = Brand()
