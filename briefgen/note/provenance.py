"""Where every number the note prints came from: `brief.provenance.json` and the HTML's tooltips.

After the template has rendered, every number in the note's text is looked up, in this order:
1. a figure briefgen made (`derive`): reported, it is traced to the spec node that states it;
   derived, its arithmetic (`Figure.derivation`) is kept and each number in it traced in turn;
2. a number inside a string of the spec (a risk's text, a title, a ticker): that string's node;
3. a date the spec gives, as the note writes dates;
4. a number equal, at the precision printed, to a number the spec gives (a chart's bar label);
5. boilerplate: the back page's rating definitions, disclosures and disclaimer (the brand's
   words), the † marks, and the page furniture of the PDF ("Page 2 of 5");
6. in a chart, an evenly spaced run of axis ticks (0, 10, 20, 30): a scale, not a figure.
A number found by none of these is unexplained: `briefgen check` fails on it, so a number typed
into a template by hand, which no spec can answer for, is caught.

Each number in the HTML body is wrapped in `<span class="src" data-src="ID" title="…">`: the
title is the tooltip a reader sees on hover, the id its record in the JSON file. Spec locations are
`file:line:col`, as the loader recorded them (briefgen/inputs/located.py), CSV rows included.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import html
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from briefgen.derive import formatting as fmt
from briefgen.derive.figures import Figure
from briefgen.derive.text import Mention, Sentence
from briefgen.inputs.located import PathKey, dotted
from briefgen.note.model import implied_upside
from briefgen.spec.model import UNIT_FACTORS, Unit

if TYPE_CHECKING:
    from briefgen.derive.changes import Changes
    from briefgen.derive.derived import Derived
    from briefgen.spec.load import LoadedSpec

Kind = Literal["reported", "derived", "spec text", "spec date", "boilerplate", "mark",
               "constant", "chart scale", "unexplained"]
EXPLAINED: tuple[Kind, ...] = ("reported", "derived", "spec text", "spec date", "boilerplate",
                               "mark", "constant", "chart scale")
# `a / b − 1` and `× 100` in a derivation note: the arithmetic's own constants.
_CONSTANT = re.compile(r"(?:[−/×÷] |\()$")

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# One number as the note prints it. Alternatives are tried left to right, longest forms first:
# a date, a mark, money with its currency and scale, points, a percentage, then a bare number.
NUMBER = re.compile(
    rf"(?P<date>\b\d{{1,2}} (?:{_MONTHS})(?: \d{{4}}(?!\d)|\b)|\b\d{{4}}-\d{{2}}-\d{{2}}(?!\d)"
    rf"|\b(?:{_MONTHS})-\d{{2}}\b)"
    r"|(?P<mark>†\d+)"
    r"|(?P<money>[+−-]?\b[A-Z]{3} [+−-]?\d(?:\d|,(?=\d{3}))*(?:\.\d+)?(?:bn|tn|m|k)?\b)"
    r"|(?P<points>[+−-]?\d+(?:\.\d+)? ?pp\b)"
    r"|(?P<percent>[+−-]?\d+(?:\.\d+)?%)"
    r"|(?P<plain>[+−-]?\d(?:\d|,(?=\d{3}))*(?:\.\d+)?(?:bn|tn|m|k)?(?![\d]))"
)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);")
# The back page's standard text comes from the brand, not the spec: its numbers are boilerplate.
BOILERPLATE_SECTIONS = ("rating-definitions", "disclosures", "certification", "disclaimer")


@dataclass(frozen=True)
class Place:
    """A node of a spec: its dotted path and `file:line:col`."""

    path: str
    at: str | None


@dataclass(frozen=True)
class Origin:
    kind: Kind
    places: tuple[Place, ...] = ()  # where it is stated (for a derived figure: none)
    how: str | None = None  # a derived figure's arithmetic
    inputs: tuple[tuple[str, Origin], ...] = ()  # each number in the arithmetic, traced
    note: str | None = None  # for boilerplate and scales: what it is

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.places:
            data["spec"] = [{"path": p.path, "at": p.at} for p in self.places]
        if self.how:
            data["how"] = self.how
        if self.inputs:
            data["inputs"] = [{"text": text, **origin.as_json()} for text, origin in self.inputs]
        if self.note:
            data["note"] = self.note
        return data

    def describe(self) -> str:
        """One line, for the tooltip."""
        if self.kind == "reported":
            return "Reported: " + "; ".join(_place_text(p) for p in self.places[:2])
        if self.kind == "derived":
            parts = [f"Derived: {self.how}"]
            parts += [f"{text} from {_place_text(o.places[0])}" for text, o in self.inputs
                      if o.places]
            return " · ".join(parts)
        if self.kind in ("spec text", "spec date"):
            return f"From the spec's {self.kind.removeprefix('spec ')}: " + _place_text(
                self.places[0])
        return f"{self.kind.capitalize()}: {self.note}" if self.note else self.kind.capitalize()


def _place_text(place: Place) -> str:
    return f"{place.path} ({place.at})" if place.at else place.path


@dataclass
class Record:
    id: str
    text: str
    section: str
    origin: Origin
    page: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "section": self.section, "page": self.page,
                **self.origin.as_json()}


# --- what the spec says, by path ------------------------------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    place: Place
    value: float
    scaled: tuple[float, ...]  # the value in ones, when it is an amount with a unit


def _walk(data: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk(value, (*path, index))
    else:
        yield path, data


def _unit_of(data: Any, path: PathKey) -> float | None:
    """The factor to ones of an amount at `path`: its own `unit`, or its history's."""
    parent: Any = data
    owners: list[Any] = []
    for key in path[:-1]:
        parent = parent[key]
        owners.append(parent)
    if path and path[-1] == "value" and isinstance(parent, dict) and "unit" in parent:
        return UNIT_FACTORS[Unit(parent.get("unit") or Unit.billion)]
    if len(path) >= 2 and path[-1] == "revenue" and "quarters" in path:
        history = owners[path.index("quarters") - 1]
        if isinstance(history, dict):
            return UNIT_FACTORS[Unit(history.get("unit") or Unit.million)]
    return None


# Strings that name things rather than say them: never printed as words of the note.
_IDENTIFIERS = {"slug", "id", "source", "url", "csv", "previous", "unit", "currency", "listing"}


class SpecIndex:
    """Every number, string and date of one spec, each with its place."""

    def __init__(self, loaded: LoadedSpec) -> None:
        self.display = Path(loaded.display).name
        self.folder = str(Path(loaded.display).parent)
        self.marks = loaded.marks
        self._amounts: dict[str, list[Place]] | None = None
        self._printed: dict[tuple[int, float | None], dict[float, list[Place]]] = {}
        data = loaded.spec.model_dump(mode="python", exclude_none=True)
        self.numbers: list[_Leaf] = []
        self.texts: dict[str, list[Place]] = {}
        self.dates: dict[str, list[Place]] = {}
        for path, value in _walk(data):
            place = self.place_of(path)
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                factor = _unit_of(data, path)
                scaled = (value * factor,) if factor else ()
                self.numbers.append(_Leaf(place, float(value), scaled))
            elif isinstance(value, dt.date):
                self._add_date(value, place)
            elif isinstance(value, str) and path[-1] not in _IDENTIFIERS:
                for match in NUMBER.finditer(value):
                    self.texts.setdefault(match.group(), []).append(place)
                    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", match.group()):  # "about 2025-08-01"
                        with contextlib.suppress(ValueError):
                            self._add_date(dt.date.fromisoformat(match.group()), place)

    def _add_date(self, value: dt.date, place: Place) -> None:
        for text in (fmt.date_long(value), fmt.date_short(value), value.isoformat(),
                     fmt.quarter_label(value), f"{value.day} {value:%b}",
                     f"{value.day} {value:%B}"):
            self.dates.setdefault(text, []).append(place)

    def place_of(self, path: PathKey) -> Place:
        """A node's path and `file:line:col`, the file named relative to the spec's folder, so
        the note reads the same wherever it is rendered (a batch worker's temporary copy)."""
        mark = self.marks.get(path)
        if mark is None:
            return Place(dotted(path), None)
        file = os.path.relpath(mark.file, self.folder) if os.path.isabs(mark.file) == \
            os.path.isabs(self.folder) else mark.file
        return Place(dotted(path), f"{Path(file).as_posix()}:{mark.line}:{mark.column}")

    def places_of_amount(self, ones: float) -> tuple[Place, ...]:
        """Where the spec states this amount (in ones) or this rate or count."""
        if self._amounts is None:  # indexed once: a spec may hold thousands of numbers
            self._amounts = {}
            for leaf in self.numbers:
                for value in leaf.scaled or (leaf.value,):
                    self._amounts.setdefault(_key(value), []).append(leaf.place)
        return tuple(dict.fromkeys(self._amounts.get(_key(ones), ())))

    def places_at_precision(self, value: float, decimals: int, scale: float | None
                            ) -> tuple[Place, ...]:
        """Numbers of the spec that print as `value` at `decimals` (scaled to `scale` if given)."""
        index = self._printed.get((decimals, scale))
        if index is None:
            index = self._printed[(decimals, scale)] = {}
            for leaf in self.numbers:
                if scale is None:  # a bare number: as given, or an amount in bn or m (a label)
                    candidates = [leaf.value, *(s / f for s in leaf.scaled for f in (1e9, 1e6))]
                else:
                    candidates = [s / scale for s in leaf.scaled] or [leaf.value]
                for candidate in candidates:
                    if math.isfinite(candidate):
                        index.setdefault(round(candidate, decimals), []).append(leaf.place)
        return tuple(dict.fromkeys(index.get(round(value, decimals), ())))


def _key(value: float) -> str:
    """Equal amounts, however computed (33.4 × 1e9 and 33400 × 1e6), give one key."""
    return f"{value:.9g}"


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# --- the figures briefgen made ----------------------------------------------------------------


def _figures(value: Any, seen: set[int] | None = None) -> Iterator[tuple[str, Figure]]:
    """Every figure inside `value` (dataclasses, lists, dicts, sentences), with its text."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Figure):
        yield value.text, value
    elif isinstance(value, Mention):
        yield value.text, value.figure
        yield value.figure.text, value.figure
    elif isinstance(value, Sentence):
        for run in value.runs:
            yield from _figures(run, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _figures(getattr(value, item.name), seen)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _figures(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _figures(item, seen)


def _parse(token: str) -> tuple[str, float, int, float | None] | None:
    """`RMB 33.4bn` -> ("money", 33.4, 1, 1e9): kind, number, decimals, scale (None: as is)."""
    match = NUMBER.fullmatch(token)
    if match is None or match.lastgroup in ("date", "mark"):
        return None
    kind = match.lastgroup or "plain"
    body = re.search(r"\d[\d,]*(?:\.(\d+))?", token)
    assert body is not None
    number = float(body.group().replace(",", ""))
    if re.match(r"^[−-]", token.replace(" ", "")) or re.search(r"[A-Z]{3} [−-]", token):
        number = -number
    decimals = len(body.group(1) or "")
    suffix = re.search(r"(bn|tn|m|k)\b", token)
    scale = UNIT_FACTORS[Unit(suffix.group(1))] if suffix else None
    if kind == "money" and scale is None:
        scale = 1.0
    return kind, number, decimals, scale


def _value(spec: SpecIndex, number: float, decimals: int, scale: float | None) -> Origin | None:
    places = spec.places_at_precision(number, decimals, scale)
    return Origin("reported", places[:3]) if places else None


class Catalogue:
    """Answers "where did this number come from?" for one note."""

    def __init__(self, loaded: LoadedSpec, derived: Derived, changes: Changes | None = None
                 ) -> None:
        self.specs = [SpecIndex(loaded)]
        previous = getattr(changes, "previous", None) if changes else None
        if previous is not None:
            self.specs.append(SpecIndex(previous))
        self.figures: dict[str, list[Figure]] = {}
        target = loaded.spec.brief.price_target
        upside = implied_upside(target) if target else None
        for text, figure in [*_figures(derived), *_figures(changes), *_figures(upside)]:
            # As printed whole, each number within (`+RMB 6.40bn, +19.2%`), and unsigned
            # (`28.0% y/y` in a cell where the sign would read as a change).
            variants = [text, *tokens_of(text)]
            for variant in [*variants, *(v.removeprefix("+") for v in variants)]:
                bucket = self.figures.setdefault(variant, [])
                if figure not in bucket:
                    bucket.append(figure)
        self._cache: dict[str, Origin | None] = {}
        # Counts of things the spec lists (8 new data centres; 3 of them in China).
        self.counts: dict[str, Origin] = {}
        infra = loaded.spec.infrastructure
        if infra is not None and infra.new_data_centres:
            where = self.specs[0].place_of(("infrastructure", "new_data_centres"))
            for region, count in getattr(derived, "sites_by_region", {}).items():
                self.counts.setdefault(str(count), Origin(
                    "derived", (where,), how=f"count of new data centres in region {region}"))
            self.counts.setdefault(str(len(infra.new_data_centres)), Origin(
                "derived", (where,), how="count of new data centres"))

    def explain(self, token: str, depth: int = 0) -> Origin | None:
        if depth:  # an input of a derivation: traced one level less deep, not kept
            return self._explain(token, depth)
        if token not in self._cache:
            self._cache[token] = self._explain(token, depth)
        return self._cache[token]

    def _explain(self, token: str, depth: int) -> Origin | None:
        if token.startswith("†"):
            return Origin("mark", note="the number of a derivation note")
        for figure in self.figures.get(token, []):
            origin = self.figure_origin(figure, depth)
            if origin is not None:
                return origin
        parsed = _parse(token)
        for spec in self.specs:  # this note's spec first, then the previous note's
            # An amount or a rate is first a number of the spec; a bare number (a year, a
            # ticker, "Q2") is first the words it stands in, then a number (a bar's label) --
            # except inside a derivation, where `/ 3` is a number (the plan's years), not the
            # "3" of "Qwen 3".
            if parsed is not None and (parsed[0] != "plain" or depth):
                found = _value(spec, *parsed[1:])
                if found is not None:
                    return found
            if token in spec.texts:
                return Origin("spec text", tuple(spec.texts[token][:3]))
            if token in spec.dates:
                return Origin("spec date", tuple(spec.dates[token][:3]))
            if parsed is not None and parsed[0] == "plain":
                found = _value(spec, *parsed[1:])
                if found is not None:
                    return found
        return self.counts.get(token)

    def figure_origin(self, figure: Figure, depth: int = 0) -> Origin | None:
        if not figure.derived:
            for spec in self.specs:
                places = spec.places_of_amount(figure.value)
                if places:
                    return Origin("reported", places[:3])
            return None
        how = str(figure.derivation)
        expression = how.split(";", 1)[0]
        inputs: list[tuple[str, Origin]] = []
        if depth < 2:
            for match in NUMBER.finditer(expression):
                if match.group() in ("1", "100"):  # the constants of `a / b − 1`, `× 100`
                    continue
                found = self.explain(match.group().lstrip("+"), depth + 1) or self.explain(
                    match.group(), depth + 1)
                if found is not None:
                    inputs.append((match.group(), found))
        return Origin("derived", how=how, inputs=tuple(inputs))


# --- the HTML: numbers found, wrapped and recorded ----------------------------------------------

_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)([^>]*)>", re.S)
# Copied as they are, up to their end tag: not printed (head), raw text (style, script), or a
# chart, whose numbers `chart_records` reads from the chart itself.
_VERBATIM = ("head", "style", "script", "svg", "title", "textarea")
_HEADING = {"h1", "h2"}


@dataclass
class Annotated:
    html: str
    records: list[Record] = field(default_factory=list)


def annotate(page: str, catalogue: Catalogue) -> Annotated:
    """`page` with every number in its body wrapped in a span naming its origin, and the records.

    A † mark in `<sup>` is recorded, not wrapped (it has its own title)."""
    out: list[str] = []
    records: list[Record] = []
    section, heading_text, in_heading = "Headline", [], False
    boiler = 0  # depth of <section> inside a boilerplate section
    in_sup = 0
    lists: list[int] = []  # for each open <ol>, its items so far (the stylesheet numbers them)
    position = 0
    while True:
        tag = _TAG.search(page, position)
        text = page[position:tag.start() if tag else len(page)]
        if text:
            if in_heading:
                heading_text.append(text)
            out.append(_wrap(text, catalogue, records, section, boiler > 0, wrap=not in_sup))
        if tag is None:
            break
        closing, name, attrs = tag.group(1), (tag.group(2) or "").lower(), tag.group(3) or ""
        position = tag.end()
        if not closing and name in _VERBATIM and not attrs.rstrip().endswith("/"):
            end = page.lower().find(f"</{name}", position)
            position = len(page) if end < 0 else end
            out.append(page[tag.start():position])
            continue
        out.append(tag.group())
        if not name:
            continue
        if closing:
            if name in _HEADING and in_heading:
                in_heading = False
                section = " ".join(html.unescape("".join(heading_text)).split()) or section
            elif name == "section" and boiler:
                boiler -= 1
            elif name == "sup" and in_sup:
                in_sup -= 1
            elif name == "ol" and lists:
                lists.pop()
            continue
        if name in _HEADING:
            in_heading, heading_text = True, []
        elif name == "ol":
            lists.append(0)
        elif name == "li" and lists:
            lists[-1] += 1
            records.append(Record(f"n{len(records) + 1}", str(lists[-1]), section, Origin(
                "boilerplate", note="the number of an item in a numbered list")))
        elif name == "sup":
            in_sup += 1
        elif name == "section" and (boiler or any(c in attrs for c in BOILERPLATE_SECTIONS)):
            boiler += 1
    return Annotated("".join(out), records)


def _wrap(text: str, catalogue: Catalogue, records: list[Record], section: str,
          boilerplate: bool, *, wrap: bool) -> str:
    pieces: list[str] = []
    position = 0
    joined = -1  # the index in `pieces` of the span a range's second end joins ("64–72bn")
    for found in _tokens(text):
        start, end, token = found
        gap = text[position:start]
        if joined >= 0 and gap == "–":
            # The two ends of a range ("USD 64–72bn", "+18–20%") stay on one line.
            pieces[joined] = f'<span class="nw">{pieces[joined]}'
        else:
            joined = -1
        pieces.append(gap)
        origin = catalogue.explain(token)
        if token in ("1", "100") and _CONSTANT.search(html.unescape(text[:start])):
            origin = Origin("constant", note="a constant of the arithmetic in a derivation note")
        elif boilerplate and (origin is None or origin.kind != "spec date"):
            origin = Origin("boilerplate", note=f"standard text of the back page ({section})")
        origin = origin or Origin("unexplained")
        record = Record(f"n{len(records) + 1}", token, section, origin)
        records.append(record)
        raw = text[start:end]
        if wrap and origin.kind != "mark":
            pieces.append(f'<span class="src src-{origin.kind.replace(" ", "-")}" '
                          f'data-src="{record.id}" title="{html.escape(origin.describe())}">'
                          f"{raw}</span>")
        else:
            pieces.append(raw)
        if joined >= 0:
            pieces[-1] += "</span>"
            joined = -1
        elif wrap and origin.kind != "mark" and text.startswith("–", end):
            joined = len(pieces) - 1
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


# A span `_wrap` writes: its classes, then the number as printed (never a tag inside).
_SPAN = re.compile(r'<span class="src src-[\w-]+" data-src="[^"]*" title="[^"]*">([^<]*)</span>')


def numbers_for_print(annotated: str) -> str:
    """`annotated` without the span of each number, whose id and tooltip paper cannot show.

    A number's spaces become no-break spaces, so no line breaks inside "RMB 33.4bn" or
    "29 Aug 2025", as `.src { white-space: nowrap }` keeps them whole on screen. A space is the
    only break a number the note prints could have (`NUMBER`): Unicode line breaking never
    breaks at a sign, a separator or a hyphen before a digit ("−5.1%", "1,234.5m", "Jun-25").
    ~150 spans, each parsed, styled, laid out, painted and tagged by WeasyPrint, cost about a
    tenth of its time on a note; no-break spaces cost nothing."""
    return _SPAN.sub(lambda found: found.group(1).replace(" ", "\u00a0"), annotated)


def _tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """Numbers in escaped HTML text, skipping character references (`&#39;` is not 39)."""
    position = 0
    for entity in [*_ENTITY.finditer(text), None]:
        stop = entity.start() if entity else len(text)
        chunk = text[position:stop]
        for match in NUMBER.finditer(chunk):
            yield position + match.start(), position + match.end(), match.group()
        if entity:
            position = entity.end()


def tokens_of(text: str) -> list[str]:
    """Every number in plain text, as `briefgen check` reads the PDF's and the HTML's."""
    return [match.group() for match in NUMBER.finditer(text)]


# --- charts ---------------------------------------------------------------------------------

_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
_LEFT_OUT = re.compile(r"\band (\d+) more\b")


def chart_records(charts: list[tuple[str, str]], catalogue: Catalogue, start: int
                  ) -> list[Record]:
    """Numbers in each chart's SVG text: figures like any other, and its axis scale."""
    records: list[Record] = []
    for key, svg in charts:
        texts = [html.unescape(re.sub(r"<[^>]+>", "", m.group(1)))
                 for m in _SVG_TEXT.finditer(svg)]
        tokens = [token for text in texts for token in tokens_of(text)]
        scale = _scale_ticks(tokens)
        # A label too long for its bar ends "…, and 4 more": a count of the names it leaves out.
        counted = [(token, token in {m.group(1) for m in _LEFT_OUT.finditer(text)})
                   for text in texts for token in tokens_of(text)]
        for token, left_out in counted:
            origin = (Origin("chart scale", note="an axis tick of the chart") if token in scale
                      else Origin("constant", note="how many names a chart label leaves out")
                      if left_out and catalogue.explain(token) is None
                      else catalogue.explain(token)) or Origin("unexplained")
            records.append(Record(f"n{start + len(records) + 1}", token, f"chart: {key}",
                                  origin))
    return records


def _scale_ticks(tokens: list[str]) -> set[str]:
    """An axis: unsigned bare numbers or percentages evenly spaced, three or more in a row, or two
    from zero (0, 5); a zero alone is an axis's origin. A data label carries a sign or breaks
    the spacing."""
    ticks: set[str] = set()
    for kind in ("plain", "percent"):
        run: list[tuple[str, float]] = []

        def close(run: list[tuple[str, float]]) -> None:
            rising = len(run) >= 2 and run[1][1] > run[0][1]
            if (len(run) >= 3 and rising) or (len(run) == 2 and rising and run[0][1] == 0) or (
                    len(run) == 1 and run[0][1] == 0):
                ticks.update(token for token, _ in run)

        for token in tokens:
            # Unsigned, or a matplotlib minus (a data label is signed + or −, as briefgen writes)
            parsed = _parse(token) if token[:1].isdigit() or token[:1] == "-" else None
            if parsed is None or parsed[0] != kind:
                close(run)
                run = []
                continue
            if len(run) >= 2 and not _same(parsed[1] - run[-1][1], run[1][1] - run[0][1]):
                close(run)
                run = run[-1:]
            run.append((token, parsed[1]))
        close(run)
    return ticks


# --- the sidecar file -------------------------------------------------------------------------

FORMAT_VERSION = 1


@dataclass
class Provenance:
    """The records of one note: its text's numbers, then its charts'."""

    catalogue: Catalogue
    records: list[Record]

    def add_charts(self, charts: list[tuple[str, str]]) -> None:
        self.records += chart_records(charts, self.catalogue, len(self.records))

    def as_json(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for record in self.records:
            counts[record.origin.kind] = counts.get(record.origin.kind, 0) + 1
        return {
            "format": FORMAT_VERSION,
            "specs": [index.display for index in self.catalogue.specs],
            "counts": dict(sorted(counts.items())),
            "numbers": [record.as_json() for record in self.records],
        }

    def to_bytes(self) -> bytes:
        return (json.dumps(self.as_json(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
