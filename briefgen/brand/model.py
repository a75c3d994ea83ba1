"""The house style of a note: firm name, logo, colours, fonts, and the legal text of the back page.

One `Brand` styles HTML, PDF, charts and email alike. `Brand()` is a neutral default so a desk can
render before it has a brand of its own; `briefgen.brand.load.load_brand` reads a brand file into
this same model (unknown keys are errors, every field documented). A `Brand` holds no paths: the
logo and font files are held as bytes, so a brand travels whole to a worker process or a Dask
cluster, and its content (not where it was read from) is part of every cache key.

Colours and the font family end up inside CSS, so they are checked against strict patterns here:
a brand file can restyle a note but never inject markup or rules into it.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

if TYPE_CHECKING:
    pass

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


DEFAULT_PRIMARY = "#1F3A5F"
DEFAULT_ACCENT = "#2A7F9E"
PALETTE_TAIL = ("#8FB3C9", "#C9A227", "#7A8794")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


class Colours(BrandModel):
    """The palette of the note and its charts."""

    primary: Colour = Field(DEFAULT_PRIMARY,
                            description="Headline, rules and the main chart series.")
    accent: Colour = Field(DEFAULT_ACCENT, description="Second chart series and highlights.")
    text: Colour = Field("#1B1F24", description="Body text.")
    muted: Colour = Field("#5B6675", description="Captions, sources, running header and footer.")
    rule: Colour = Field("#D3D9E1", description="Table rules and box borders.")
    tint: Colour = Field("#F2F5F8", description="Background of boxes and table headers.")
    positive: Colour = Field("#1B7A3E", description="Gains and beats.")
    negative: Colour = Field("#B3261E", description="Losses and misses.")
    palette: tuple[Colour, ...] = Field(
        (DEFAULT_PRIMARY, DEFAULT_ACCENT, *PALETTE_TAIL),
        min_length=2,
        description="Chart series colours, in order; by default primary, accent, then "
        + ", ".join(PALETTE_TAIL) + ".",
    )

    @model_validator(mode="before")
    @classmethod
    def _palette_follows_primary(cls, data: Any) -> Any:
        """A brand that sets only `primary` and `accent` gets charts in those colours too: the
        current quarter in primary, growth in accent, earlier quarters in a light primary."""
        if not isinstance(data, dict) or "palette" in data:
            return data
        first = data.get("primary", DEFAULT_PRIMARY)
        second = data.get("accent", DEFAULT_ACCENT)
        if (first, second) == (DEFAULT_PRIMARY, DEFAULT_ACCENT):
            return data
        if not all(isinstance(c, str) and _COLOUR.fullmatch(c) for c in (first, second)):
            return data  # the bad colour is reported once, on its own key
        return {**data, "palette": (first, second, lighter(first), *PALETTE_TAIL[1:])}


def lighter(colour: str, share: float = 0.55) -> str:
    """`colour` mixed with white: `share` 0 is the colour, 1 is white."""
    channels = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * share):02X}" for c in channels)


class Logo(BrandModel):
    """The firm's logo: an SVG or PNG file beside the brand file, held as its bytes.

    The note shows it as an `<img>` with a data: URI, in the HTML and the PDF alike: an SVG shown
    that way never runs a script, and `brandfile` refuses SVG that holds one anyway.
    """

    file: str = Field(description="SVG or PNG file, relative to the brand file, inside its folder.")
    alt: ShortLine | None = Field(None, description="What screen readers say; default: firm name.")
    height_mm: float = Field(9, ge=4, le=30, description="Height in the masthead, in millimetres.")
    media_type: Literal["image/svg+xml", "image/png"] = Field(
        description="Found from the file's content by the loader; not written in a brand file.")
    data: bytes = Field(repr=False, description="The file's bytes, read by the loader.")

    @property
    def data_uri(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"


FONT_MEDIA_TYPES = {"opentype": "font/otf", "truetype": "font/ttf", "woff": "font/woff"}


class FontFile(BrandModel):
    """One face of the brand's font family: a font file beside the brand file, held as bytes."""

    file: str = Field(description="OpenType, TrueType or WOFF file, relative to the brand file.")
    weight: int = Field(400, ge=100, le=900, multiple_of=100,
                        description="400 regular, 600 semibold, 700 bold.")
    style: Literal["normal", "italic"] = Field("normal", description="normal or italic.")
    format: Literal["opentype", "truetype", "woff"] = Field(
        description="Found from the file's content by the loader; not written in a brand file.")
    data: bytes = Field(repr=False, description="The file's bytes, read by the loader.")

    @property
    def data_uri(self) -> str:
        encoded = base64.b64encode(self.data).decode("ascii")
        return f"data:{FONT_MEDIA_TYPES[self.format]};base64,{encoded}"


class FallbackFont(BrandModel):
    """A face for the characters that neither the brand's font nor the bundled Inter draws (a
    Chinese company name, say): a font file beside the brand file, or one face of a collection
    (.ttc), held as the bytes of that face alone. It is subset to the note's characters and
    embedded in the HTML and the PDF, and the charts draw those characters with it.

    Fonts installed on the machine are never used instead: a note draws only the bundled fonts
    and the brand's, so a spec gives the same bytes on every machine."""

    file: str = Field(description="OpenType or TrueType file or collection (.otf, .ttf, .ttc, "
                      ".otc), relative to the brand file.")
    face: int | str | None = Field(
        None, description="In a collection: the face's index (0 is the first) or its name, "
        "e.g. 'Noto Sans CJK SC'; a single font needs none.")
    family: FontFamily = Field(
        description="The family the note names it by; by default the face's own family name "
        "(or 'Fallback 1', 2, … when that name has other characters).")
    weight: int = Field(400, ge=100, le=900, multiple_of=100,
                        description="400 regular, 600 semibold, 700 bold.")
    style: Literal["normal", "italic"] = Field("normal", description="normal or italic.")
    format: Literal["opentype", "truetype"] = Field(
        description="Found from the file's content by the loader; not written in a brand file.")
    data: bytes = Field(repr=False, description="The face's bytes, read by the loader.")


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
    logo: Logo | None = Field(None, description="Logo in the masthead, in place of the firm name.")
    note_label: ShortLine = Field(
        "Results note", description="What kind of note this is, shown beside the firm name."
    )
    colours: Colours = Field(default_factory=Colours, description="Palette of note and charts.")
    font_family: FontFamily = Field(
        "Inter",
        description="Font for text and charts. 'Inter' is bundled and embedded; for another "
        "family give its files in `font_files` (fonts installed on the machine are never used: "
        "without files the note is set in Inter).",
    )
    font_files: tuple[FontFile, ...] = Field(
        (), description="Faces of `font_family`, embedded in the HTML and the PDF.")
    fallback_fonts: tuple[FallbackFont, ...] = Field(
        (), description="Faces for characters `font_family` and Inter lack (CJK, say), in order "
        "of preference: subset, embedded in the HTML and the PDF, and used by the charts.")
    short_disclaimer: ShortLine = Field(
        "For information only; not an offer to buy or sell securities. See the last page.",
        description="One line for the footer of every page.",
    )
    disclaimer: LegalText = Field(DEFAULT_DISCLAIMER, description="The back-page disclaimer.")
    disclosures: tuple[LegalText, ...] = Field(
        (), description="Disclosures (holdings, conflicts), a paragraph each, on the back page.")
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


    @property
    def font_stack(self) -> tuple[str, ...]:
        """The families a note's text is set in, in order: the brand's, Inter (always
        embedded, so what the brand's font lacks is still drawn), then the fallback families."""
        families = [self.font_family, "Inter", *(face.family for face in self.fallback_fonts)]
        return tuple(dict.fromkeys(families))

    @property
    def fallback_families(self) -> tuple[str, ...]:
        return tuple(family for family in self.font_stack[1:] if family != "Inter")


DEFAULT_BRAND = Brand()
