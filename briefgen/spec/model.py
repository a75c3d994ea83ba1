"""The spec: a validated model of one company quarter, as a desk writes it in YAML.

Every field carries a description: the JSON Schema (editor autocomplete) and the spec reference
in docs/ are generated from them, and a test fails when one is missing.
Numbers that may appear in a note are figure objects (`Money`, `Percent`, `Count`) so that each
can cite a source and say whether it was reported or derived by arithmetic.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from briefgen.spec.datefield import Date, SourceDate

SourceId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64),
    Field(description="The id of an entry in `sources` (lower case, digits, - and _)."),
]
Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    Field(description="ISO 4217 currency code, e.g. CNY, USD, HKD.", examples=["CNY"]),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class Unit(StrEnum):
    """The scale of a money amount."""

    ones = "ones"
    thousand = "k"
    million = "m"
    billion = "bn"
    trillion = "tn"


UNIT_FACTORS = {Unit.ones: 1.0, Unit.thousand: 1e3, Unit.million: 1e6, Unit.billion: 1e9,
                Unit.trillion: 1e12}


class Qualifier(StrEnum):
    """How exact a figure is, as the source puts it ("more than RMB 100bn")."""

    exact = "exact"
    about = "about"
    more_than = "more than"
    up_to = "up to"
    nearly = "nearly"
    at_least = "at least"


class Rating(StrEnum):
    """The desk's recommendation."""

    buy = "Buy"
    hold = "Hold"
    sell = "Sell"
    overweight = "Overweight"
    neutral = "Neutral"
    underweight = "Underweight"
    not_rated = "Not rated"


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Cited(StrictModel):
    """A figure that can name where it came from."""

    source: SourceId | None = Field(
        None, description="Source id for this figure; falls back to the section's `source`."
    )
    derived: bool = Field(
        False, description="True when the figure was computed by arithmetic, not reported."
    )
    derivation: ShortText | None = Field(
        None, description="How a derived figure was computed, e.g. 'RMB 33.4bn / USD 4.67bn'."
    )
    qualifier: Qualifier = Field(
        Qualifier.exact, description="How exact the source is: exact, about, more than, up to…"
    )


# Optional only so that a range can leave `value` out; the schema says "a number" when given.
OptionalNumber = Annotated[float | None, WithJsonSchema({"type": "number"})]


def _check_one_form(value: float | None, low: float | None, high: float | None) -> None:
    """A figure is one number or a range, never both, never half a range."""
    if value is not None and (low is not None or high is not None):
        raise ValueError("give either `value` or `low` and `high`, not both")
    if value is None and (low is None or high is None):
        raise ValueError("give `value`, or both `low` and `high` for a range")
    if low is not None and high is not None and low > high:
        raise ValueError("`low` is above `high`")


class Ranged(Cited):
    """A figure given as one number (`value`) or as a range (`low` and `high`).

    A range has no single value: briefgen never uses its midpoint. It prints as a range and is
    compared end by end (a result above `high` beats it, below `low` misses it)."""

    value: OptionalNumber = Field(None, description="The figure; or give `low` and `high`.")
    low: OptionalNumber = Field(None, description="Low end of a range (with `high`, no `value`).")
    high: OptionalNumber = Field(
        None, description="High end of a range (with `low`, no `value`)."
    )

    @model_validator(mode="after")
    def _one_form(self) -> Ranged:
        _check_one_form(self.value, self.low, self.high)
        return self

    @property
    def is_range(self) -> bool:
        return self.value is None


class Money(Ranged):
    """An amount of money with its currency and scale (`value`, or a range `low`–`high`)."""

    currency: Currency
    unit: Unit = Field(Unit.billion, description="Scale of the amount: ones, k, m, bn or tn.")


class Percent(Ranged):
    """A percentage, written as 26 for 26% (`value`, or a range `low`–`high`)."""


OptionalCount = Annotated[int | None, Field(ge=0),
                          WithJsonSchema({"type": "integer", "minimum": 0})]


class Count(Cited):
    """A whole number of things (regions, zones, data centres, customers): `value`, or a range
    `low`–`high` ("30–32 regions"), either with a qualifier ("more than 100 data centres").

    Like a money range, a count range has no single value: it is printed as a range and never
    reduced to its midpoint."""

    value: OptionalCount = Field(None, description="How many; or give `low` and `high`.")
    low: OptionalCount = Field(None, description="Low end of a range (with `high`, no `value`).")
    high: OptionalCount = Field(
        None, description="High end of a range (with `low`, no `value`)."
    )
    as_of: Date | None = Field(
        None, description="When the count applies, when not at the quarter end (e.g. 2025-09-02)."
    )

    @model_validator(mode="after")
    def _one_form(self) -> Count:
        _check_one_form(self.value, self.low, self.high)
        return self

    @property
    def is_range(self) -> bool:
        return self.value is None


class Listing(StrictModel):
    """Where the company's shares trade."""

    exchange: ShortText = Field(description="Exchange code, e.g. NYSE, HKEX.")
    ticker: ShortText = Field(description="Ticker on that exchange, e.g. BABA, 9988.")
    currency: Currency


class FxRate(Cited):
    """Units of the reporting currency per one US dollar."""

    rate: float = Field(gt=0, description="Reporting-currency units per USD, e.g. 7.15.")
    date: Date = Field(description="The date the rate applies to.")


class PriceTarget(Cited):
    """The desk's price target for one listing."""

    value: float = Field(gt=0, description="Target price per share.")
    currency: Currency
    listing: ShortText = Field(description="Ticker of the listing the target is for.")
    horizon_months: int = Field(12, ge=1, le=60, description="Horizon of the target in months.")
    price_at_setting: float | None = Field(
        None, gt=0, description="Share price when the target was set (gives implied upside)."
    )


class KeyDatum(Cited):
    """One extra line for the key-data box, e.g. market cap or 52-week range."""

    label: ShortText = Field(description="What the figure is, e.g. 'Market cap'.")
    text: ShortText = Field(description="The figure as it should read, e.g. 'USD 290bn'.")


class Brief(StrictModel):
    """The note itself: headline, date, who wrote it, the desk's view."""

    title: ShortText = Field(description="Headline that states the finding.")
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")] | None = Field(
        None, description="Folder name under output/; defaults to the spec's file name."
    )
    date: Date = Field(description="Publication date of the note (also the PDF's date).")
    author: ShortText = Field(description="Analyst name(s).")
    desk: ShortText = Field(description="Desk or team, e.g. 'China Internet'.")
    summary: Text | None = Field(None, description="Opening paragraph under the headline.")
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = (
        Field("en", description="Language of the note as a BCP 47 tag ('en', 'en-GB', 'zh-Hans'): "
                                "the HTML's lang and the PDF's /Lang, which screen readers use "
                                "to choose a voice."))
    rating: Rating | None = Field(None, description="The desk's rating, when it rates the stock.")
    price_target: PriceTarget | None = Field(None, description="Price target, when given.")
    key_data: list[KeyDatum] = Field(
        default_factory=list, description="Extra lines for the page-1 key-data box."
    )


class Company(StrictModel):
    """The company the note is about."""

    name: ShortText = Field(description="Full name, e.g. 'Alibaba Group'.")
    short_name: ShortText | None = Field(None, description="Name for running headers.")
    sector: ShortText | None = Field(None, description="Sector, e.g. 'Internet & cloud'.")
    listings: list[Listing] = Field(min_length=1, description="Share listings, primary first.")
    reporting_currency: Currency
    fx_to_usd: FxRate | None = Field(
        None, description="Rate to show USD beside reporting-currency amounts."
    )


class Period(StrictModel):
    """The quarter the note covers."""

    fiscal_label: ShortText = Field(description="How the company names it, e.g. 'Q1 FY2026'.")
    quarter_end: Date = Field(description="Last day of the quarter.")
    results_date: Date = Field(description="Day the results were published.")


class QuarterPoint(StrictModel):
    """One quarter of a segment's history: its revenue, its growth, or both."""

    quarter_end: Date = Field(description="Last day of the quarter.")
    revenue: float | None = Field(
        None, description="Revenue in the history's unit and currency (may be left out when "
        "only growth was reported)."
    )
    growth_yoy: float | None = Field(None, description="Reported y/y growth in percent.")
    source: SourceId | None = Field(None, description="Source id for this row.")

    @model_validator(mode="after")
    def _something(self) -> QuarterPoint:
        if self.revenue is None and self.growth_yoy is None:
            raise ValueError("give `revenue`, `growth_yoy` or both")
        return self


class History(StrictModel):
    """A segment's quarterly revenue, inline or from a CSV file beside the spec."""

    currency: Currency
    unit: Unit = Field(Unit.million, description="Scale of every `revenue` in the history.")
    source: SourceId | None = Field(None, description="Source id for every row without one.")
    csv: Path | None = Field(
        None,
        description="CSV beside the spec with columns quarter_end,revenue[,growth_yoy,source].",
    )
    quarters: list[QuarterPoint] = Field(
        default_factory=list, description="Quarters, oldest first (or give `csv`)."
    )


class Estimate(StrictModel):
    """One provider's estimate, when sources disagree on the consensus."""

    provider: ShortText = Field(description="Whose estimate, e.g. 'LSEG' or 'Visible Alpha'.")
    growth_yoy: Percent | None = Field(None, description="Their y/y growth estimate.")
    revenue: Money | None = Field(None, description="Their revenue estimate.")
    source: SourceId | None = Field(None, description="Source id.")


class Consensus(StrictModel):
    """What the market expected: a growth rate, a value, or both; or several conflicting
    estimates (`estimates`), shown as a range with their providers."""

    growth_yoy: Percent | None = Field(None, description="Consensus y/y growth.")
    revenue: Money | None = Field(None, description="Consensus revenue.")
    provider: ShortText | None = Field(
        None, description="Whose consensus, e.g. 'Bloomberg-polled' or 'LSEG'; `unnamed` when "
        "the source gives an estimate without saying whose."
    )
    estimates: list[Estimate] = Field(
        default_factory=list, description="Several providers' estimates, when they differ."
    )
    source: SourceId | None = Field(None, description="Where the consensus was reported.")


class Segment(StrictModel):
    """A reporting segment (a cloud business is one) or the group total."""

    name: ShortText = Field(description="Segment name as reported.")
    short_name: ShortText | None = Field(
        None, description="Name for headlines and email subjects, e.g. 'cloud'."
    )
    headline: bool = Field(
        False, description="The segment the note leads with; defaults to the first."
    )
    revenue: Money = Field(description="Revenue in the quarter.")
    growth_yoy: Percent | None = Field(None, description="Reported y/y growth.")
    consensus: Consensus | None = Field(None, description="Market expectation for the quarter.")
    history: History | None = Field(None, description="Quarterly revenue history.")
    note: Text | None = Field(
        None, description="A line of context, e.g. growth excluding disposed businesses."
    )
    source: SourceId | None = Field(None, description="Source for figures that name none.")


class CapexPoint(StrictModel):
    """Capital spending in one quarter."""

    quarter_end: Date = Field(description="Last day of the quarter.")
    spend: Money = Field(description="Spending in the quarter.")
    growth_yoy: Percent | None = Field(
        None, description="Reported y/y change; else computed from the row a year earlier."
    )
    source: SourceId | None = Field(None, description="Source id for this row.")


class CapexGuidance(StrictModel):
    """What the company said it will spend: one year's guidance or a multi-year plan."""

    amount: Money = Field(description="The total (a range and a qualifier allowed).")
    years: int = Field(1, ge=1, le=20, description="How many years it covers (1: one year).")
    period: ShortText | None = Field(
        None, description="The period as the company names it, e.g. 'FY2025' or '2025-2027'."
    )
    scope: ShortText | None = Field(
        None, description="Whose spending: the group (default) or a named segment."
    )
    definition: ShortText | None = Field(
        None, description="What counts, e.g. 'cash capex including finance leases'."
    )
    source: SourceId | None = Field(None, description="Source id.")


class Capex(StrictModel):
    """Capital spending: spend by quarter, and guidance for a year or a plan over several.

    `plan_total` with `horizon_years` is the earlier form of `guidance` (still read; it warns)."""

    guidance: CapexGuidance | None = Field(None, description="Guidance for a year or a plan.")
    plan_disclosed: bool = Field(
        True, description="False when the company has disclosed no capex plan (said in the note)."
    )
    plan_total: Money | None = Field(
        None, description="Superseded by `guidance.amount`: total of the plan."
    )
    horizon_years: int | None = Field(
        None, ge=1, le=20, description="Superseded by `guidance.years`: length of the plan."
    )
    plan_scope: ShortText | None = Field(
        None, description="Superseded by `guidance.scope`: what the plan covers."
    )
    invested_trailing_4q: Money | None = Field(
        None, description="Invested over the past four quarters."
    )
    invested_to_date: Money | None = Field(None, description="Invested since the plan began.")
    quarterly: list[CapexPoint] = Field(default_factory=list, description="Spend by quarter.")
    outlook: Text | None = Field(None, description="What management said about the plan.")
    source: SourceId | None = Field(None, description="Source for figures that name none.")

    @model_validator(mode="after")
    def _one_plan(self) -> Capex:
        if not self.plan_disclosed and (self.guidance or self.plan_total):
            raise ValueError("`plan_disclosed: false` with a plan given")
        if self.plan_total is not None and self.guidance is not None:
            raise ValueError("give `guidance` or the older `plan_total`, not both")
        if (self.plan_total is None) != (self.horizon_years is None):
            raise ValueError("`plan_total` and `horizon_years` go together (or use `guidance`)")
        return self

    @property
    def plan(self) -> CapexGuidance | None:
        """The guidance in its current form, whichever form the spec used."""
        if self.guidance is not None:
            return self.guidance
        if self.plan_total is not None and self.horizon_years is not None:
            return CapexGuidance(amount=self.plan_total, years=self.horizon_years,
                                 scope=self.plan_scope)
        return None


class DataCentre(StrictModel):
    """A new data centre."""

    place: ShortText = Field(description="City or country, e.g. 'Hangzhou' or 'Thailand'.")
    country: ShortText = Field(description="Country, e.g. 'China'.")
    region: ShortText = Field(description="Grouping for the chart, e.g. 'China' or 'Overseas'.")
    opened: SourceDate | None = Field(
        None, description="Opening date: exact, a month (2025-07) or approximate."
    )
    source: SourceId | None = Field(None, description="Source id.")


class RegionLaunch(StrictModel):
    """A new cloud region launched: a geographic area served by one or more availability zones
    (each of one or more data centres). A region launch is not a data-centre opening."""

    name: ShortText = Field(description="The region as the company names it, e.g. 'Mexico'.")
    country: ShortText | None = Field(None, description="Country, e.g. 'Mexico'.")
    launched: SourceDate | None = Field(
        None, description="Launch date: exact, a month (2025-07) or approximate."
    )
    availability_zones: Count | None = Field(
        None, description="Availability zones it launched with, when said."
    )
    source: SourceId | None = Field(None, description="Source id.")


class Infrastructure(StrictModel):
    """The footprint: counts in service (each may be a range or qualified, and dated) and what
    was added, new cloud regions apart from new data centres."""

    regions: Count | None = Field(None, description="Cloud regions in service.")
    availability_zones: Count | None = Field(None, description="Availability zones in service.")
    data_centres: Count | None = Field(None, description="Data centres in service.")
    new_regions: list[RegionLaunch] = Field(
        default_factory=list, description="Cloud regions launched in the period below (not "
        "data centres: list those in `new_data_centres`)."
    )
    new_regions_period: ShortText | None = Field(
        None, description="When they launched, e.g. 'in the quarter'."
    )
    new_data_centres: list[DataCentre] = Field(
        default_factory=list, description="Data centres opened in the period below."
    )
    new_data_centres_period: ShortText | None = Field(
        None, description="When they opened, e.g. 'in 2025 to date'."
    )
    source: SourceId | None = Field(None, description="Source for figures that name none.")


class MoveBasis(StrEnum):
    """What the move is measured to."""

    close = "close"
    intraday = "intraday"
    after_hours = "after hours"
    pre_market = "pre-market"


class MarketMove(Cited):
    """How one listing's shares moved after the results."""

    listing: ShortText = Field(description="Ticker of a listing in `company.listings`.")
    date: Date = Field(description="Trading day (session date) of the move.")
    move: float = Field(description="Price change in percent, e.g. 13 for +13%.")
    basis: MoveBasis | None = Field(
        None, description="close, intraday, after hours or pre-market."
    )
    session: ShortText | None = Field(None, description="E.g. 'Friday, first session after'.")


class Highlight(StrictModel):
    """An event worth a line: a product or model launch, a deal."""

    title: ShortText = Field(description="Short name, e.g. 'Qwen 3 reasoning model'.")
    date: SourceDate | None = Field(
        None, description="When it happened: exact, a month (2025-07) or approximate."
    )
    text: Text = Field(description="One or two sentences.")
    source: SourceId | None = Field(None, description="Source id.")


class Quote(StrictModel):
    """Words a named person said, verbatim."""

    speaker: ShortText = Field(description="Who said it.")
    role: ShortText = Field(description="Their role, e.g. 'Group CEO'.")
    text: Text = Field(description="The words, without quotation marks.")
    source: SourceId | None = Field(None, description="Source id.")


class AnalystTarget(StrictModel):
    """An outside analyst's price target."""

    value: float = Field(gt=0, description="Target price per share.")
    currency: Currency


class AnalystView(StrictModel):
    """An outside analyst's or strategist's view (a firm's view needs no person)."""

    name: ShortText | None = Field(None, description="Who holds the view; none for a firm's.")
    firm: ShortText = Field(description="Their firm.")
    date: SourceDate | None = Field(None, description="When the view was given.")
    timing: Literal["before results", "after results"] | None = Field(
        None, description="Whether the view came before or after the results."
    )
    rating: ShortText | None = Field(None, description="Their rating, e.g. 'Buy'.")
    target: AnalystTarget | None = Field(None, description="Their price target.")
    role: ShortText | None = Field(None, description="Their title.")
    stance: Literal["positive", "neutral", "negative", "mixed"] | None = Field(
        None, description="Overall tone of the view."
    )
    kind: Literal["quote", "paraphrase"] = Field(
        description="Whether `text` is their words or our paraphrase of them."
    )
    text: Text = Field(description="The view.")
    source: SourceId | None = Field(None, description="Source id.")


class KpiKind(StrEnum):
    """What a KPI measures."""

    growth = "growth"
    operating_income = "operating income"
    operating_margin = "operating margin"
    backlog = "backlog"
    run_rate = "run-rate"
    other = "other"


class Kpi(StrictModel):
    """A typed figure beside segment revenue: a growth-only metric, operating income or margin,
    backlog/RPO, a revenue run-rate."""

    name: ShortText = Field(description="As the company names it, e.g. 'Azure growth' or 'RPO'.")
    kind: KpiKind = Field(description="growth, operating income, operating margin, backlog, "
                                      "run-rate or other.")
    segment: ShortText | None = Field(None, description="The segment it belongs to, if any.")
    amount: Money | None = Field(None, description="The amount (income, backlog, run-rate).")
    margin: Percent | None = Field(None, description="A margin in percent.")
    growth_yoy: Percent | None = Field(None, description="Its y/y growth.")
    constant_currency: bool = Field(
        False, description="True when `growth_yoy` is at constant currency."
    )
    consensus: Consensus | None = Field(None, description="What was expected, if given.")
    source: SourceId | None = Field(None, description="Source id.")

    @model_validator(mode="after")
    def _a_figure(self) -> Kpi:
        if self.amount is None and self.margin is None and self.growth_yoy is None:
            raise ValueError("give `amount`, `margin` or `growth_yoy`")
        return self


class Risk(StrictModel):
    """A risk to the view."""

    title: ShortText = Field(description="Short name of the risk.")
    text: Text | None = Field(None, description="Why it matters.")
    source: SourceId | None = Field(None, description="Source id, when the risk was named there.")


class Source(StrictModel):
    """A publication a figure or quote comes from."""

    id: SourceId = Field(
        description="The id figures cite in `source` (lower case, digits, - and _)."
    )
    publisher: ShortText = Field(description="Who published it.")
    title: ShortText = Field(description="Title of the article or filing.")
    date: SourceDate | None = Field(
        None, description="Publication date: exact (2025-09-01), a month (2025-09), approximate "
        "('about 2025-09-01') or `n.d.`/absent when the source has none."
    )
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(
        None, description="Where to read it (http or https)."
    )
    via: ShortText | None = Field(None, description="Who it cites, e.g. 'Yahoo Finance'.")


class Spec(StrictModel):
    """One company quarter: everything a research note is made from."""

    brief: Brief = Field(description="The note: headline, date, author, rating.")
    company: Company = Field(description="The company and its listings.")
    period: Period = Field(description="The quarter covered.")
    segments: list[Segment] = Field(min_length=1, description="Reported segments, headline first.")
    capex: Capex | None = Field(None, description="Capital spending against plan.")
    infrastructure: Infrastructure | None = Field(None, description="Data-centre footprint.")
    kpis: list[Kpi] = Field(default_factory=list, description="Typed figures beyond revenue.")
    market_reaction: list[MarketMove] = Field(
        default_factory=list, description="Share-price moves after the results."
    )
    highlights: list[Highlight] = Field(default_factory=list, description="Events of note.")
    quotes: list[Quote] = Field(default_factory=list, description="Management quotes.")
    analyst_views: list[AnalystView] = Field(
        default_factory=list, description="Outside analysts' views."
    )
    risks: list[Risk] = Field(default_factory=list, description="Risks to the view.")
    illustrative: bool = Field(
        False, description="True when the figures are invented (gallery and examples): the note "
        "then carries a visible 'Illustrative data' mark."
    )
    sources: list[Source] = Field(min_length=1, description="Every source cited in the spec.")
    previous: Path | None = Field(
        None,
        description="The spec of the company's previous note, relative to this one; when not "
        "given, the spec in this folder with the same primary listing and the latest earlier "
        "quarter.",
    )

    @property
    def headline_segment(self) -> Segment:
        return next((s for s in self.segments if s.headline), self.segments[0])
