"""A seeded generator of bad and odd specs: what an operator's typo, a paste from a PDF, an export
from a spreadsheet or an attacker's file puts in front of `briefgen validate` and `render`.

`write_corpus(folder, count, seed)` writes `count` spec files (and the CSV files, folders and
symlinks they name) into `folder` and returns one `Case` per spec. The same seed writes the same
bytes. Families, drawn in turn so that a small corpus holds every one:

- **mutate**: one of the two samples (specs/*.yaml) with 1-3 values replaced by an odd value
  (wrong types, 0, negatives, 1e308, nan, inf, huge and empty strings, BEL/ESC/NUL escapes, lone
  surrogates, `"\\U00110000"`, deep nesting, tags, anchors), keys deleted, renamed or added;
- **text**: a sample's text with a YAML twist (BOM, CRLF, CR, anchors and merge keys, tags,
  several documents, directives, flow or canonical style, escapes for every non-ASCII
  character, cut short, junk inserted, lines dropped or swapped);
- **synthetic**: documents from nothing (empty, a scalar, a list, random bytes, UTF-16, invalid
  UTF-8, alias bombs, deep nesting, too large, thousands of keys);
- **csv**: the sample whose history is a CSV, with the CSV missing, a folder, a symlink inside
  the folder (legitimate), a dangling or looping symlink, outside the folder, or with odd cells
  (nan, inf, 1e308, empty, malformed quotes, extra columns, NUL, BOM, CRLF, not UTF-8);
- **odd**: mutations meant to stay valid (names at their 200-character limit, 4000-character
  texts, scripts from every direction, HTML- and Jinja-looking text, zero, negative, tiny and
  large figures, hundreds of data centres, optional sections removed): what `render` must
  either draw or refuse with a located reason.

`expect` says what the family guarantees: "invalid" cases must be refused (exit 2); "odd" and
"any" cases may go either way, but never with an internal error.
"""

from __future__ import annotations

import copy
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = (ROOT / "specs" / "baba.yaml", ROOT / "specs" / "baba-2025q3.yaml")
SAMPLE_CSV = ROOT / "specs" / "baba-cloud-revenue.csv"
CSV_NAME = SAMPLE_CSV.name
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

Expect = Literal["invalid", "odd", "any"]


@dataclass(frozen=True)
class Case:
    """One generated spec: its file, its family and what it must give."""

    path: Path
    family: str
    expect: Expect
    what: str  # how it was made, for a failure message


# --- odd values, as YAML text (put in place of a sentinel after dumping) ------------------------

LONG = "x" * 5000
ODD_SCALARS = [
    "0", "-1", "-0.0", "1e308", "-1e308", "1e-308", "5e-324", ".nan", ".inf", "-.inf",
    "1" + "0" * 400, "0x1F", "0o17", "1_000", "+12", "1e15", "-1e15", "999999999999999999",
    '""', '" "', f'"{LONG}"', '"' + "y" * 201 + '"', '"\\a bell"', '"\\e[31mred\\e[0m"',
    '"nul\\0byte"', '"\\ud800"', '"x\\udfff"', '"\\U00110000"', '"\\UFFFFFFFF"', '"\\x85next"',
    '"\\u2028line"', '"\\uFFFE"', '"<script>alert(1)</script>"', '"{{ 7*7 }}"',
    '"{% for x in y %}"', '"&amp; &lt;b&gt;"', '"\\u202Eright-to-left"', '"🚀 emoji"',
    '"云计算"', '"tab\\there"', '"new\\nline"', "[]", "{}", "[1, 2]", "{a: 1}", "null", "~",
    "true", "no", "2025-02-30", "2025-06-30", "12:30:00", "!!str 5", "!!int '5'",
    "!!float x", "!!binary aGk=", "!!python/object:os.system x", "!custom x", "!!set {a, b}",
    "!!omap [a: 1]", "!!timestamp 2025-01-01", "[" * 60 + "]" * 60, "[" * 3000 + "]" * 3000,
    "{a: " * 40 + "1" + "}" * 40, "&anchor [1, 2]", "'single ''quoted'''", "|\n  block\n",
    ">-\n  folded\n", "'2025-06-30'", "'33.4'", "1,000", "RMB 33bn", "33.4bn", "-", "?",
]
# Text that a field of any kind may hold; keys that no model has.
ODD_KEYS = ["", " ", "valeu", "Value", "__class__", "source ", "\u00e9t\u00e9", "1", "null",
            "<<x", "a" * 300, "revenue_usd", "derived_by"]


def paths_in(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path below `data` (mappings and lists), parents before children."""
    found = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_in(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_in(value, (*path, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


class _Writer:
    def __init__(self, folder: Path, rng: random.Random) -> None:
        self.folder = folder
        self.rng = rng
        self.samples = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SAMPLES]
        self.texts = [p.read_text(encoding="utf-8") for p in SAMPLES]
        self.paths = [paths_in(data) for data in self.samples]
        self.cases: list[Case] = []
        self.index = 0

    # -- output --

    def name(self) -> Path:
        self.index += 1
        return self.folder / f"c{self.index:05d}.yaml"

    def emit(self, family: str, expect: Expect, what: str, content: bytes | str) -> Path:
        path = self.name()
        data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        path.write_bytes(data)
        self.cases.append(Case(path, family, expect, what))
        return path

    def dump(self, data: Any, raw: dict[str, str] | None = None, **style: Any) -> str:
        style = {"width": 4096, **style}
        text: str = yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True, **style)
        for sentinel, fragment in (raw or {}).items():
            # A block scalar or a tag only reads right in flow position after a key: quote-free
            # fragments replace the sentinel as written.
            text = text.replace(sentinel, fragment.replace("\n", " ") if fragment[:1] in "|>"
                                else fragment)
        return text

    # -- families --

    def mutate(self) -> None:
        which = self.rng.randrange(len(self.samples))
        data = copy.deepcopy(self.samples[which])
        raw: dict[str, str] = {}
        steps = []
        for _ in range(self.rng.randint(1, 3)):
            path = self.rng.choice(self.paths[which])
            try:
                parent = _parent(data, path)
                parent[path[-1]]
            except (KeyError, IndexError, TypeError):
                continue
            action = self.rng.choice(["replace", "replace", "replace", "delete", "rename", "add"])
            if action == "replace" or not isinstance(parent, dict):
                sentinel = f"SENTINEL{len(raw)}X"
                raw[sentinel] = self.rng.choice(ODD_SCALARS)
                parent[path[-1]] = sentinel
                steps.append(f"{path} = {raw[sentinel][:40]!r}")
            elif action == "delete":
                del parent[path[-1]]
                steps.append(f"del {path}")
            elif action == "rename":
                parent[self.rng.choice(ODD_KEYS)] = parent.pop(path[-1])
                steps.append(f"rename {path}")
            else:
                parent[self.rng.choice(ODD_KEYS)] = self.rng.choice([1, "x", None, [1]])
                steps.append(f"add key at {path[:-1]}")
        text = self.dump(data, raw)
        if which == 0:
            self.ensure_csv()
        self.emit("mutate", "any", f"sample {which}: " + "; ".join(steps), text)

    def text(self) -> None:
        which = self.rng.randrange(len(self.texts))
        text = self.texts[which]
        data = self.samples[which]
        twists: list[tuple[str, Expect, Callable[[], str | bytes]]] = [
            ("bom", "odd", lambda: "\ufeff" + text),
            ("crlf", "odd", lambda: text.replace("\n", "\r\n")),
            ("cr only", "any", lambda: text.replace("\n", "\r")),
            ("explicit start and end", "odd", lambda: "---\n" + text + "...\n"),
            ("two documents", "invalid", lambda: text + "---\nbrief: {}\n"),
            ("empty second document", "any", lambda: text + "---\n"),
            ("yaml directive", "odd", lambda: "%YAML 1.1\n---\n" + text),
            ("yaml 1.2 directive", "any", lambda: "%YAML 1.2\n---\n" + text),
            ("tag directive", "any", lambda: "%TAG !e! tag:example.com,2000:\n---\n" + text),
            ("anchors", "odd", lambda: _anchored(text)),
            ("merge keys", "odd", lambda: _merged(text)),
            ("flow style", "odd", lambda: self.dump(data, default_flow_style=True)),
            ("canonical", "odd", lambda: self.dump(data, canonical=True)),
            ("ascii escapes", "odd", lambda: yaml.dump(data, Dumper=DUMPER, sort_keys=False,
                                                       allow_unicode=False)),
            ("narrow folding", "odd", lambda: self.dump(data, width=20)),
            ("wide indent", "odd", lambda: yaml.dump(data, Dumper=DUMPER, sort_keys=False,
                                                     indent=9, allow_unicode=True)),
            ("cut short", "any", lambda: text[: self.rng.randrange(len(text))]),
            ("bytes cut short", "any",
             lambda: text.encode()[: self.rng.randrange(len(text.encode()))]),
            ("junk line", "any", lambda: self.junk_line(text)),
            ("lines shuffled", "any", lambda: self.shuffle_lines(text)),
            ("nul byte", "invalid", lambda: text.replace("\n", "\n\x00", 1)),
            ("bell byte", "invalid", lambda: text.replace("Sample", "Sam\x07ple", 1)),
            ("esc byte", "invalid", lambda: text.replace("Sample", "Sam\x1b[31mple", 1)),
            ("trailing garbage", "any", lambda: text + "\x00\xff garbage"),
            ("tabs", "any", lambda: text.replace("  ", "\t", 3)),
            ("comment at every line", "odd", lambda: text.replace("\n", "  # c\n")),
        ]
        what, expect, make = self.rng.choice(twists)
        content = make()
        if which == 0:
            self.ensure_csv()
        self.emit("text", expect, f"sample {which}: {what}", content)

    def junk_line(self, text: str) -> str:
        lines = text.splitlines(keepends=True)
        index = self.rng.randrange(len(lines))
        junk = self.rng.choice([": ", "\t", "- ", "&a ", "*a", "'", '"', "{", "[", "#", "<<: *a",
                                "---", "!!binary ", "? ", "%YAML 1.1", "\\U00110000", "@", "`"])
        column = self.rng.randrange(len(lines[index]) + 1)
        lines[index] = lines[index][:column] + junk + lines[index][column:]
        return "".join(lines)

    def shuffle_lines(self, text: str) -> str:
        lines = text.splitlines(keepends=True)
        for _ in range(self.rng.randint(1, 4)):
            a, b = self.rng.randrange(len(lines)), self.rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
        return "".join(lines)

    def synthetic(self) -> None:
        rng = self.rng
        makers: list[tuple[str, Callable[[], str | bytes]]] = [
            ("empty", lambda: ""),
            ("spaces", lambda: "   \n\n  "),
            ("comments", lambda: "# nothing\n# here\n"),
            ("scalar", lambda: "hello\n"),
            ("number", lambda: "42\n"),
            ("list", lambda: "- a\n- b\n"),
            ("null document", lambda: "~\n"),
            ("unknown key", lambda: "a: b\n"),
            ("random bytes", lambda: bytes(rng.randrange(256) for _ in range(rng.randint(1, 400)))),
            ("random text", lambda: "".join(chr(rng.randrange(32, 0x3000))
                                            for _ in range(rng.randint(1, 300)))),
            ("utf-16", lambda: "brief: {}\n".encode("utf-16")),
            ("latin-1", lambda: "brief: {title: caf\xe9}\n".encode("latin-1")),
            ("alias bomb", lambda: _alias_bomb(rng.randint(6, 9))),
            ("recursive alias", lambda: "a: &a [*a]\n"),
            ("deep lists", lambda: "a: " + "[" * rng.choice([55, 400, 5000, 100_000]) + "\n"),
            ("deep maps", lambda: "".join("  " * i + f"k{i}:\n" for i in range(rng.choice(
                [55, 300, 1200]))) + "  " * 1200 + "v\n"),
            ("too large", lambda: "a: " + "x" * 1_000_050 + "\n"),
            ("many keys", lambda: "".join(f"k{i}: {i}\n" for i in range(rng.choice([100, 3000])))),
            ("escape beyond unicode", lambda: 'brief: "\\U00110000"\n'),
            ("lone surrogate key", lambda: '"\\ud800": 1\n'),
            ("lone surrogate value", lambda: 'brief: {title: "\\udc80"}\n'),
            ("control key", lambda: '"\\e[2J": 1\n'),
            ("python tag", lambda: "brief: !!python/object/apply:os.system ['true']\n"),
            ("non-string keys", lambda: "? [a, b]\n: 1\n{c: d}: 2\n1: x\ntrue: y\n"),
            ("only a bom", lambda: "\ufeff"),
            ("bom and crlf", lambda: "\ufeffbrief:\r\n  title: x\r\n"),
            ("several documents", lambda: "a: 1\n---\nb: 2\n---\nc: 3\n"),
            ("document end only", lambda: "...\n"),
            ("unclosed quote", lambda: 'brief: "abc\n'),
            ("unclosed flow", lambda: "brief: {a: [1, 2\n"),
        ]
        what, make = rng.choice(makers)
        self.emit("synthetic", "invalid", what, make())

    def csv(self) -> None:
        rng = self.rng
        text = self.texts[0]
        stem = f"h{self.index + 1:05d}"
        kinds = ["missing", "folder", "symlink", "dangling symlink", "symlink loop",
                 "outside", "absolute", "empty name", "cells", "cells", "cells", "cells"]
        kind = rng.choice(kinds)
        name = f"{stem}.csv"
        expect: Expect = "invalid"
        target = self.folder / name
        if kind == "missing":
            pass
        elif kind == "folder":
            target.mkdir()
        elif kind == "symlink":
            shared = self.folder / "_shared"
            shared.mkdir(exist_ok=True)
            (shared / name).write_bytes(SAMPLE_CSV.read_bytes())
            target.symlink_to(Path("_shared") / name)
            expect = "odd"
        elif kind == "dangling symlink":
            target.symlink_to(Path("_shared") / "nowhere.csv")
        elif kind == "symlink loop":
            target.symlink_to(name)
        elif kind == "outside":
            name = f"../{name}"
        elif kind == "absolute":
            name = "/etc/hostname"
        elif kind == "empty name":
            name = '""'
        else:
            content, what, expect = self.odd_csv()
            target.write_bytes(content)
            kind = f"cells: {what}"
        spec = text.replace(f"csv: {CSV_NAME}", f"csv: {name}")
        self.emit("csv", expect, kind, spec)

    def odd_csv(self) -> tuple[bytes, str, Expect]:
        rng = self.rng
        rows = SAMPLE_CSV.read_text(encoding="utf-8").splitlines()
        cell = rng.choice(["nan", "inf", "-inf", "1e308", "-1e308", "NaN", "Infinity", "", " ",
                           '"1,000"', '"abc', "29610x", "1e-308", "0", "-5", "0x10",
                           "2025-02-30", "\x07", "\x00", "1" * 400])
        where = rng.choice(["revenue", "growth_yoy", "quarter_end", "source"])
        column = ("quarter_end", "revenue", "growth_yoy", "source").index(where)
        row = rng.randrange(1, len(rows))
        cells = rows[row].split(",")
        cells[column] = cell
        rows[row] = ",".join(cells)
        extra = rng.choice(["", "bom", "crlf", "extra column", "header only", "no header",
                            "not utf-8", "empty", "many rows"])
        text = "\n".join(rows) + "\n"
        if extra == "bom":
            text = "\ufeff" + text
        elif extra == "crlf":
            text = text.replace("\n", "\r\n")
        elif extra == "extra column":
            text = text.replace("\n", ",extra\n", 2)
        elif extra == "header only":
            text = rows[0] + "\n"
        elif extra == "no header":
            text = "\n".join(rows[1:]) + "\n"
        elif extra == "empty":
            text = ""
        elif extra == "many rows":
            ends = ("03-31", "06-30", "09-30", "12-31")
            text = rows[0] + "\n" + "".join(f"{1900 + i // 4}-{ends[i % 4]},{i + 1},,\n"
                                            for i in range(400))
        data = text.encode("utf-8")
        if extra == "not utf-8":
            data = data.replace(b"alibaba", b"alib\xffaba", 1)
        return data, f"{where}={cell!r} row {row} {extra}".strip(), "any"

    def odd(self) -> None:
        """A sample with changes meant to keep it valid: what rendering must cope with."""
        rng = self.rng
        which = rng.randrange(len(self.samples))
        data = copy.deepcopy(self.samples[which])
        steps = []
        for _ in range(rng.randint(1, 3)):
            name, change = rng.choice(ODD_VALID)
            try:
                change(data, rng)
            except (KeyError, IndexError, TypeError):
                continue
            steps.append(name)
        # Each its own output folder (one sample sets a slug, which every copy would share).
        data["brief"]["slug"] = f"c{self.index + 1:05d}"
        if which == 0:
            self.ensure_csv()
        self.emit("odd", "odd", f"sample {which}: " + ", ".join(steps), self.dump(data))

    def ensure_csv(self) -> None:
        target = self.folder / CSV_NAME
        if not target.exists():
            target.write_bytes(SAMPLE_CSV.read_bytes())


# --- odd but valid changes -----------------------------------------------------------------------

WORDS = ["cloud", "云计算", "الحوسبة", "облако", "🚀", "Ω≈ç√", "e\u0301\u0301", "<b>bold</b>",
         "{{ x }}", "&amp;", "\u200dzwj", "\u00a0nbsp", "ﬁ", "𝔘𝔫𝔦", "x" * 60, "R&D", "%s", "'\""]


def _text(rng: random.Random, limit: int) -> str:
    style = rng.choice(["words", "no spaces", "one word", "max"])
    if style == "no spaces":
        return ("W" * limit)[: rng.randint(1, limit)]
    if style == "one word":
        return rng.choice(WORDS)
    text = ""
    while len(text) < limit:
        text += rng.choice(WORDS) + " "
    text = text[:limit].strip() or "x"
    return text if style == "max" else text[: rng.randint(1, len(text))].strip() or "x"


def _set_names(data: dict[str, Any], rng: random.Random) -> None:
    short = [("company", "name"), ("company", "short_name"), ("brief", "author"),
             ("brief", "desk"), ("brief", "title"), ("period", "fiscal_label")]
    section, key = rng.choice(short)
    data[section][key] = _text(rng, 200)
    segment = rng.choice(data["segments"])
    segment["name"] = _text(rng, 200)
    if rng.random() < 0.5:
        segment["short_name"] = _text(rng, 200)


def _set_long_texts(data: dict[str, Any], rng: random.Random) -> None:
    data["brief"]["summary"] = _text(rng, 4000)
    for item in data.get("highlights", []) + data.get("quotes", []):
        item["text"] = _text(rng, rng.choice([1, 400, 4000]))


def _set_regions(data: dict[str, Any], rng: random.Random) -> None:
    infra = data.setdefault("infrastructure", {"source": data["sources"][0]["id"]})
    count = rng.choice([1, 3, 40, 250])
    infra["new_data_centres"] = [
        {"place": _text(rng, 200), "country": _text(rng, 200),
         "region": _text(rng, 200) if rng.random() < 0.5 else rng.choice(["A", "B", "C"])}
        for _ in range(count)
    ]


def _set_numbers(data: dict[str, Any], rng: random.Random) -> None:
    value = rng.choice([0, 0.0, -1, -1e15, 1e15, 1e-300, 123456789.123456789, 0.0004, -100, 7])
    segment = rng.choice(data["segments"])
    target = rng.choice(["revenue", "growth", "consensus", "plan", "invested", "move", "fx",
                         "count", "price target"])
    if target == "revenue":
        segment["revenue"]["value"] = value
    elif target == "growth":
        segment["growth_yoy"] = {"value": value}
    elif target == "consensus":
        segment["consensus"] = {"revenue": {"value": value,
                                            "currency": segment["revenue"]["currency"],
                                            "unit": segment["revenue"].get("unit", "bn")}}
    elif target == "plan" and data.get("capex"):
        data["capex"]["plan_total"]["value"] = value
    elif target == "invested" and data.get("capex"):
        data["capex"]["invested_trailing_4q"] = {"value": value, "currency": "CNY"}
    elif target == "move" and data.get("market_reaction"):
        data["market_reaction"][0]["move"] = value
    elif target == "fx" and data["company"].get("fx_to_usd"):
        data["company"]["fx_to_usd"]["rate"] = abs(value) or 1e-300
    elif target == "price target":
        listing = data["company"]["listings"][0]
        data["brief"]["price_target"] = {
            "value": abs(value) or 1e-300, "currency": listing["currency"],
            "listing": listing["ticker"], "price_at_setting": rng.choice([1e-300, 1e15, 0.01]),
            "source": data["sources"][0]["id"]}
    elif target == "count" and data.get("infrastructure", {}).get("regions"):
        data["infrastructure"]["regions"]["value"] = int(abs(value)) if abs(value) < 1e15 else 0


def _set_history(data: dict[str, Any], rng: random.Random) -> None:
    segment = data["segments"][rng.randrange(len(data["segments"]))]
    end = data["period"]["quarter_end"]
    count = rng.choice([1, 2, 8, 60])
    ends = [_quarter_before(end, count - 1 - i) for i in range(count)]
    values = [rng.choice([0, 0.0, 1e-300, 1e15, -50, 100, 33398, 1.5]) for _ in ends]
    segment["history"] = {"currency": segment["revenue"]["currency"], "unit": "m",
                          "quarters": [{"quarter_end": e, "revenue": v}
                                       for e, v in zip(ends, values, strict=True)]}
    if "source" not in segment:
        segment["history"]["source"] = data["sources"][0]["id"]


def _quarter_before(end: Any, back: int) -> Any:
    import datetime as dt

    month = end.month - 3 * back
    year = end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, last)


def _drop_optional(data: dict[str, Any], rng: random.Random) -> None:
    for key in rng.sample(["capex", "infrastructure", "market_reaction", "highlights", "quotes",
                           "analyst_views", "risks"], rng.randint(1, 7)):
        data.pop(key, None)
    for segment in data["segments"]:
        for key in rng.sample(["consensus", "history", "growth_yoy", "note"], rng.randint(0, 4)):
            segment.pop(key, None)
    if rng.random() < 0.5:
        data["company"].pop("fx_to_usd", None)


def _many_items(data: dict[str, Any], rng: random.Random) -> None:
    source = data["sources"][0]["id"]
    data["highlights"] = [{"title": _text(rng, 200), "text": _text(rng, 300), "source": source}
                          for _ in range(rng.choice([0, 30, 120]))]
    data["risks"] = [{"title": _text(rng, 200)} for _ in range(rng.choice([0, 50]))]
    data["brief"]["key_data"] = [{"label": _text(rng, 200), "text": _text(rng, 200),
                                  "source": source} for _ in range(rng.choice([1, 40]))]


def _many_segments(data: dict[str, Any], rng: random.Random) -> None:
    base = data["segments"][-1]
    extra = []
    for index in range(rng.choice([5, 40])):
        segment = copy.deepcopy(base)
        segment["name"] = f"{_text(rng, 150)} {index}"
        segment.pop("history", None)
        segment["headline"] = False
        extra.append(segment)
    data["segments"] += extra


ODD_VALID: list[tuple[str, Callable[[dict[str, Any], random.Random], None]]] = [
    ("names", _set_names), ("long texts", _set_long_texts), ("regions", _set_regions),
    ("numbers", _set_numbers), ("numbers", _set_numbers), ("history", _set_history),
    ("drop optional", _drop_optional), ("many items", _many_items),
    ("many segments", _many_segments),
]


# --- text helpers --------------------------------------------------------------------------------


def _anchored(text: str) -> str:
    """The sample with its first `currency: CNY` anchored and the later ones aliased."""
    first = text.find("currency: CNY")
    if first < 0:
        return text
    head, tail = text[: first], text[first:]
    tail = tail.replace("currency: CNY", "currency: &cny CNY", 1)
    cut = tail.index("&cny") + 4
    return head + tail[:cut] + tail[cut:].replace("currency: CNY", "currency: *cny")


def _merged(text: str) -> str:
    """A `defaults` anchor merged (`<<:`) into the listings."""
    return text.replace("    - {exchange: NYSE, ticker: BABA, currency: USD}",
                        "    - &nyse {exchange: NYSE, ticker: BABA, currency: USD}", 1).replace(
        '    - {exchange: HKEX, ticker: "9988", currency: HKD}',
        '    - {<<: *nyse, exchange: HKEX, ticker: "9988", currency: HKD}', 1)


def _alias_bomb(levels: int) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghij"
    for prev, name in itertools.pairwise(names[:levels]):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


FAMILIES = ("mutate", "text", "synthetic", "csv", "odd")


def write_corpus(folder: Path, count: int, seed: int = 14,
                 families: tuple[str, ...] = FAMILIES) -> list[Case]:
    """Write `count` generated specs into `folder` (created); the same seed, the same files."""
    folder.mkdir(parents=True, exist_ok=True)
    writer = _Writer(folder, random.Random(seed))
    for number in range(count):
        getattr(writer, families[number % len(families)])()
    return writer.cases
