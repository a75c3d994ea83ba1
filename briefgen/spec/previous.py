"""Which spec is the company's previous note: named by `previous:`, else found in the folder.

Same company means the same primary listing (the first of `company.listings`, exchange and
ticker): names change and are spelled differently, a listing does not. The previous note is the
spec in the same folder with that listing and the latest quarter before this one. Two such specs
for that quarter are ambiguous and neither is guessed: the spec is told to name one with
`previous:`. A spec in another folder can only be named, and only inside this spec's folder, so
the previous note travels with it to a batch worker like a CSV does.

Finding reads each sibling only as far as its listing and quarter (located YAML, no validation),
and keeps what it read per file version, so a folder of n specs is read once, not n times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.errors import Problem
from briefgen.inputs.located import LocatedDocument, load_located

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Identity:
    """What makes two specs notes on the same company, and which quarter each covers."""

    listing: str  # "NYSE: BABA"
    quarter_end: dt.date
    data_files: tuple[Path, ...]  # CSV histories the spec reads


@dataclass(frozen=True)
class PreviousNote:
    """The answer: the previous note's spec (or None) and, in words, why."""

    path: Path | None
    how: str
    problem: Problem | None = None


_cache: dict[tuple[Path, int, int], Identity | None] = {}


def identity(path: Path) -> Identity | None:
    """The listing and quarter a spec file states, or None when it does not say them plainly."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (path.absolute(), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        if len(_cache) > 10_000:  # a long-lived preview or scheduler: keep the memory bounded
            _cache.clear()
        _cache[key] = _read_identity(path)
    return _cache[key]


def _read_identity(path: Path) -> Identity | None:
    try:
        return identity_of(load_located(path, str(path)).data, path.parent)
    except Exception:  # whatever a sibling file holds, it is just not this spec's previous note
        return None


def identity_of(data: Any, folder: Path) -> Identity | None:
    if not isinstance(data, dict):
        return None
    company, period = data.get("company"), data.get("period")
    if not isinstance(company, dict) or not isinstance(period, dict):
        return None
    listings = company.get("listings")
    first = listings[0] if isinstance(listings, list) and listings else None
    if not isinstance(first, dict):
        return None
    end = _date(period.get("quarter_end"))
    exchange, ticker = first.get("exchange"), first.get("ticker")
    if end is None or not isinstance(exchange, str | int) or not isinstance(ticker, str | int):
        return None
    csvs = []
    segments = data.get("segments")  # a sibling spec read here may be invalid in any way
    for segment in segments if isinstance(segments, list) else []:
        history = segment.get("history") if isinstance(segment, dict) else None
        if isinstance(history, dict) and isinstance(history.get("csv"), str):
            csvs.append(folder / history["csv"])
    return Identity(f"{exchange}: {ticker}", end, tuple(csvs))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def find_previous(path: Path, doc: LocatedDocument, named: Path | None) -> PreviousNote:
    """The previous note of the spec at `path` (already validated; `doc` is its located YAML)."""
    own = identity_of(doc.data, path.parent)
    if own is None:
        return PreviousNote(None, "the spec states no primary listing or quarter")
    if named is not None:
        return _named(path, doc, own, named)
    return _search(path, doc.file, own)


def _named(path: Path, doc: LocatedDocument, own: Identity, named: Path) -> PreviousNote:
    mark = doc.mark_for(("previous",))
    line, column = (mark.line, mark.column) if mark else (None, None)

    def refuse(message: str, hint: str | None = None) -> PreviousNote:
        return PreviousNote(None, message, Problem(doc.file, line, column, "previous", message,
                                                   hint))

    folder = path.parent.resolve()
    try:
        target = (path.parent / named).resolve()
    except (OSError, ValueError):
        return refuse("is not a usable file name")
    if not target.is_relative_to(folder):
        return refuse("the previous note's spec must be inside this spec's folder",
                      "give a path relative to the spec, without `..`")
    if target == path.resolve():
        return refuse("names this spec itself")
    if not target.is_file():
        return refuse(f"no such file: {named}")
    other = identity(target)
    if other is None:
        return refuse(f"{named} does not state a primary listing and a quarter")
    if other.listing != own.listing:
        return refuse(f"{named} is a note on {other.listing}, not {own.listing}",
                      "the previous note must have the same primary listing")
    if other.quarter_end >= own.quarter_end:
        return refuse(f"{named} covers the quarter ended {other.quarter_end}, not one before "
                      f"{own.quarter_end}")
    return PreviousNote(target, f"named by `previous:` ({named})")


def _specs_in(folder: Path) -> list[Path]:
    """The spec files of a folder, listed again only when the folder changes."""
    try:
        key = (folder.absolute(), folder.stat().st_mtime_ns)
    except OSError:
        return []
    if key not in _listings:
        if len(_listings) > 1000:
            _listings.clear()
        _listings[key] = sorted(p for p in key[0].iterdir() if p.suffix in SPEC_SUFFIXES)
    return _listings[key]


_listings: dict[tuple[Path, int], list[Path]] = {}


def _search(path: Path, display: str, own: Identity) -> PreviousNote:
    me = path.absolute()
    earlier: list[tuple[dt.date, Path]] = []
    for sibling in _specs_in(path.parent):
        if sibling == me:
            continue
        other = identity(sibling)
        if other and other.listing == own.listing and other.quarter_end < own.quarter_end:
            earlier.append((other.quarter_end, sibling))
    if not earlier:
        return PreviousNote(None, f"no earlier note on {own.listing} in {path.parent}")
    latest = max(end for end, _ in earlier)
    found = [p for end, p in earlier if end == latest]
    if len(found) > 1:
        shown = 3  # a folder of hundreds of candidates is one line, not hundreds of names
        names = ", ".join(p.name for p in found[:shown]) + (
            f" and {len(found) - shown} more" if len(found) > shown else "")
        message = (f"previous note is ambiguous: {names} all cover {own.listing}'s quarter "
                   f"ended {latest}")
        return PreviousNote(None, message, Problem(
            display, None, None, "previous", message, "name one with `previous: FILE`",
            severity="warning"))
    return PreviousNote(found[0].resolve(), f"{found[0].name}: the latest earlier quarter "
                        f"({latest}) on {own.listing} in this folder")


def data_files(previous: Path) -> list[Path]:
    """The files a render reads for the previous note: its spec and its CSV histories."""
    found = identity(previous)
    return [previous, *(p.resolve() for p in (found.data_files if found else ()))]
