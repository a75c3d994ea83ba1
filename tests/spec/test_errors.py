"""Every way a spec can be wrong, each with the exact lines `briefgen validate` prints.

Bad specs are small edits of tests/fixtures/baba.yaml (a frozen copy of specs/baba.yaml, so that
editing the sample does not move these line numbers) or small standalone files. Each edit must
match the fixture exactly once, so a fixture change cannot silently turn a case into a no-op.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefgen.cli.main import app
from briefgen.errors import SpecError
from briefgen.spec.load import load_spec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPEC = "specs/x.yaml"
CSV = "specs/baba-cloud-revenue.csv"

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Bad:
    """One bad spec: how to make it from the fixture, and what validate must print."""

    id: str
    expected: tuple[str, ...]
    edit: tuple[str, str] | None = None  # (old, new) in the spec; old occurs exactly once
    more_edits: tuple[tuple[str, str], ...] = ()
    csv_edit: tuple[str, str] | None = None  # the same in the CSV beside it
    text: str | bytes | None = None  # the whole spec file instead of an edit
    setup: Setup | None = None  # anything else the case needs, run after writing
    strict: bool = False
    exit_code: int = 2


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in the fixture"
    return text.replace(old, new)


def _remove_spec(root: Path) -> None:
    (root / SPEC).unlink()


def _csv_is_a_folder(root: Path) -> None:
    (root / "specs" / "history").mkdir()


ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdef", "bcdefg", strict=True)
)
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + ALIAS_BOMB

CASES = [
    # --- wrong types ---
    Bad("number-is-text", edit=("{value: 33.4, currency: CNY", "{value: abc, currency: CNY"),
        expected=(f'{SPEC}:41:22: segments[0].revenue.value: expected a number, got "abc" '
                  "(remove the quotes and any units or commas)",)),
    Bad("whole-number-is-fraction", edit=("    years: 3", "    years: 2.5"),
        expected=(f"{SPEC}:61:12: capex.guidance.years: expected a whole number, got 2.5",)),
    Bad("range-in-value", edit=("{value: 33.4, currency: CNY", '{value: "33–34", currency: CNY'),
        expected=(f'{SPEC}:41:22: segments[0].revenue.value: expected a number, got the range '
                  '"33–34" (write a range as `low: 33` and `high: 34` in place of `value`)',)),
    Bad("boolean-is-text", edit=("headline: true", "headline: maybe"),
        expected=(f'{SPEC}:39:15: segments[0].headline: expected true or false, got "maybe"',)),
    Bad("list-is-text", edit=("  listings:\n    - {exchange: NYSE, ticker: BABA, currency: USD}\n"
                              '    - {exchange: HKEX, ticker: "9988", currency: HKD}\n',
                              "  listings: BABA\n"),
        expected=(f'{SPEC}:20:13: company.listings: expected a list, got "BABA" '
                  "(start each item with '- ')",)),
    Bad("mapping-is-number", edit=("regions: {value: 29}", "regions: 29"),
        expected=(f"{SPEC}:69:12: infrastructure.regions: expected a mapping of keys, got 29",)),
    Bad("text-is-empty", edit=("author: Sample Analyst", 'author: ""'),
        expected=(f"{SPEC}:9:11: brief.author: must not be empty",)),
    Bad("list-is-empty", edit=("  listings:\n    - {exchange: NYSE, ticker: BABA, currency: USD}\n"
                               '    - {exchange: HKEX, ticker: "9988", currency: HKD}\n',
                               "  listings: []\n"),
        expected=(f"{SPEC}:20:13: company.listings: needs at least 1 item",)),
    Bad("no-read-as-false", edit=("short_name: Alibaba", "short_name: no"),
        expected=(f"{SPEC}:18:15: company.short_name: expected text, got false "
                  '(YAML reads yes/no/on/off as true/false; quote the text, e.g. "NO")',)),
    Bad("number-below-minimum", edit=("rate: 7.152", "rate: -7.152"),
        expected=(f"{SPEC}:25:11: company.fx_to_usd.rate: must be greater than 0, got -7.152",)),
    Bad("infinite-number", edit=("move: 13,", "move: .inf,"),
        expected=(f"{SPEC}:83:45: market_reaction[0].move: expected a finite number, got inf",)),
    Bad("url-not-http", edit=("    via: Yahoo Finance\n", "    via: Yahoo Finance\n    url: ftp://x\n"),
        expected=(f'{SPEC}:127:10: sources[0].url: expected an http or https address, '
                  'got "ftp://x"',)),
    # --- keys ---
    Bad("unknown-key", edit=("short_name: Alibaba", "shortname: Alibaba"),
        expected=(f'{SPEC}:18:3: company.shortname: unknown key (did you mean "short_name"?)',)),
    Bad("unknown-section", edit=("\nrisks:\n", "\nrisk:\n"),
        expected=(f'{SPEC}:111:1: risk: unknown key (did you mean "risks"?)',)),
    Bad("missing-key", edit=("  author: Sample Analyst\n", ""),
        expected=(f"{SPEC}:6:1: brief.author: missing required key",)),
    Bad("missing-section", edit=("period:\n  fiscal_label: June quarter 2025 (Q1 FY2026)\n"
                                 "  quarter_end: 2025-06-30\n  results_date: 2025-08-29\n", ""),
        expected=(f"{SPEC}:6:1: period: missing required key",)),
    Bad("duplicate-key",
        edit=("  short_name: Alibaba\n", "  short_name: Alibaba\n  short_name: Ali\n"),
        expected=(f'{SPEC}:19:3: company.short_name: duplicate key "short_name" '
                  "(first given on line 18; keep one)",)),
    # --- values ---
    Bad("date-does-not-exist",
        edit=("  date: 2025-09-01\n  author", "  date: 2025-13-01\n  author"),
        expected=(f'{SPEC}:8:9: brief.date: expected a date like 2025-06-30, got "2025-13-01" '
                  "(month is out of range of 1-12)",)),
    Bad("date-in-wrong-format", edit=("quarter_end: 2025-06-30", "quarter_end: 30/06/2025"),
        expected=(f'{SPEC}:33:16: period.quarter_end: expected a date like 2025-06-30, '
                  'got "30/06/2025"',)),
    # pydantic would read a number as a Unix timestamp (1756425600 is 2025-08-29); no desk means
    # that, in YAML or in a CSV cell.
    Bad("date-is-a-timestamp",
        edit=("  date: 2025-09-01\n  author", "  date: 1756425600\n  author"),
        expected=(f"{SPEC}:8:9: brief.date: expected a date like 2025-06-30, got 1756425600",)),
    Bad("date-is-digits",
        edit=("rate: 7.152\n    date: 2025-08-29", "rate: 7.152\n    date: 20250829"),
        expected=(f"{SPEC}:26:11: company.fx_to_usd.date: expected a date like 2025-06-30, "
                  "got 20250829",)),
    Bad("date-is-a-fractional-timestamp",
        edit=("date: 2025-08-29, move", "date: 1756425600.0, move"),
        expected=(f"{SPEC}:83:27: market_reaction[0].date: expected a date like 2025-06-30, "
                  "got 1756425600.0",)),
    Bad("csv-date-is-a-timestamp", csv_edit=("2024-09-30,29610", "1727654400,29610"),
        expected=(f"{CSV}:3:1: segments[0].history.quarters[1].quarter_end: expected a date like "
                  '2025-06-30, got "1727654400"',)),
    Bad("enum-wrong-case", edit=("  desk: China Internet & Cloud\n",
                                 "  desk: China Internet & Cloud\n  rating: buy\n"),
        expected=(f"{SPEC}:11:11: brief.rating: expected one of Buy, Hold, Sell, Overweight, "
                  'Neutral, Underweight, Not rated; got "buy" (did you mean "Buy"?)',)),
    Bad("enum-typo", edit=("qualifier: up to}", "qualifier: upto}"),
        expected=(f"{SPEC}:60:62: capex.guidance.amount.qualifier: expected one of exact, about, "
                  'more than, up to, nearly, at least; got "upto" (did you mean "up to"?)',)),
    Bad("currency-rmb", edit=("reporting_currency: CNY", "reporting_currency: RMB"),
        expected=(f'{SPEC}:23:23: company.reporting_currency: "RMB" is not an ISO 4217 currency '
                  "code (the ISO 4217 code for renminbi is CNY)",)),
    Bad("currency-lower-case", edit=("ticker: BABA, currency: USD", "ticker: BABA, currency: usd"),
        expected=(f"{SPEC}:21:48: company.listings[0].currency: expected an ISO 4217 currency "
                  'code like CNY or USD, got "usd"',)),
    # --- between fields ---
    Bad("unknown-source", edit=("    source: tradingkey\n  - title: Price",
                                "    source: tradingkye\n  - title: Price"),
        expected=(f'{SPEC}:116:13: risks[0].source: cites unknown source "tradingkye" '
                  '(did you mean "tradingkey"?)',)),
    Bad("duplicate-source",
        edit=("June 2024 to June 2025\n    date: 2025-08-29\n",
              "June 2024 to June 2025\n    date: 2025-08-29\n  - id: tradingkey\n"
              "    publisher: TradingKey\n    title: Again\n    date: 2025-09-01\n"),
        expected=(f'{SPEC}:131:9: sources[2].id: duplicate source id "tradingkey" '
                  "(give each source its own id)",)),
    Bad("listing-not-listed", edit=("{listing: BABA,", "{listing: BAB,"),
        expected=(f'{SPEC}:83:15: market_reaction[0].listing: "BAB" is not one of '
                  'company.listings (BABA, 9988) (did you mean "BABA"?)',)),
    Bad("results-before-quarter-end", edit=("results_date: 2025-08-29", "results_date: 2025-06-01"),
        expected=(f"{SPEC}:34:17: period.results_date: results are dated before the quarter "
                  "ended",)),
    Bad("quarters-out-of-order",
        csv_edit=("2024-09-30,29610,7,alibaba-results\n2024-12-31,31742,13,alibaba-results\n",
                  "2024-12-31,31742,13,alibaba-results\n2024-09-30,29610,7,alibaba-results\n"),
        expected=(f"{CSV}:4:1: segments[0].history.quarters[2].quarter_end: quarter 2024-09-30 "
                  "comes after 2024-12-31 (list quarters oldest first)",)),
    Bad("quarter-twice", csv_edit=("2024-12-31,31742", "2024-09-30,31742"),
        expected=(f"{CSV}:4:1: segments[0].history.quarters[2].quarter_end: quarter 2024-09-30 "
                  "appears twice",)),
    Bad("growth-disagrees-warning", edit=("growth_yoy: {value: 26}", "growth_yoy: {value: 30}"),
        exit_code=0,
        expected=(f"{SPEC}:42:25: warning: segments[0].growth_yoy.value: reported 30% but the "
                  "history gives 25.8% y/y",)),
    Bad("growth-disagrees-strict", edit=("growth_yoy: {value: 26}", "growth_yoy: {value: 30}"),
        strict=True,
        expected=(f"{SPEC}:42:25: segments[0].growth_yoy.value: reported 30% but the "
                  "history gives 25.8% y/y",)),
    # --- CSV histories ---
    Bad("csv-bad-number", csv_edit=("29610,7", "29610x,7"),
        expected=(f'{CSV}:3:12: segments[0].history.quarters[1].revenue: expected a number, '
                  'got "29610x" (remove any units or thousands separators)',)),
    Bad("csv-unknown-column", csv_edit=("revenue,growth_yoy,", "revenue,growth,"),
        expected=(f'{CSV}:1:21: unknown column "growth" (did you mean "growth_yoy"?)',)),
    Bad("csv-missing-column", csv_edit=("quarter_end,revenue,", "quarter_end,sales,"),
        expected=(f'{CSV}:1:1: missing column "revenue"',
                  f'{CSV}:1:13: unknown column "sales" (columns: quarter_end, revenue, '
                  "growth_yoy, source)")),
    Bad("csv-outside-folder",
        edit=("csv: baba-cloud-revenue.csv", "csv: ../baba-cloud-revenue.csv"),
        expected=(f"{SPEC}:49:12: segments[0].history.csv: the CSV file must be inside the "
                  "spec's folder (give a path relative to the spec, without `..`)",)),
    Bad("csv-missing", edit=("csv: baba-cloud-revenue.csv", "csv: cloud.csv"),
        expected=(f"{SPEC}:49:12: segments[0].history.csv: no such file: specs/cloud.csv "
                  "(the path is relative to the spec's folder)",)),
    Bad("csv-is-a-folder", edit=("csv: baba-cloud-revenue.csv", "csv: history"),
        setup=_csv_is_a_folder,
        expected=(f"{SPEC}:49:12: segments[0].history.csv: specs/history is a folder, "
                  "not a CSV file",)),
    Bad("csv-not-a-number", csv_edit=("29610,7", "nan,7"),
        expected=(f"{CSV}:3:12: segments[0].history.quarters[1].revenue: expected a finite "
                  "number, got nan",)),
    Bad("csv-huge-number", csv_edit=("29610,7", "1e308,7"),
        expected=(f"{CSV}:3:12: segments[0].history.quarters[1].revenue: is too large to print "
                  "or chart (at most 1e+15 either side of zero), got 1e+308 "
                  "(is the unit right?)",)),
    Bad("huge-growth", edit=("growth_yoy: {value: 18.4}", "growth_yoy: {value: 1e308}"),
        expected=(f"{SPEC}:45:27: segments[0].consensus.growth_yoy.value: is too large to print "
                  "or chart (at most 1e+15 either side of zero), got 1e+308 "
                  "(is the unit right?)",)),
    Bad("huge-whole-number", edit=("regions: {value: 29}", f"regions: {{value: {10**30}}}"),
        expected=(f"{SPEC}:69:20: infrastructure.regions.value: is too large to print or chart "
                  "(at most 1e+15 either side of zero), got 1e+30 (is the unit right?)",)),
    Bad("csv-and-quarters", edit=("      csv: baba-cloud-revenue.csv\n",
                                  "      csv: baba-cloud-revenue.csv\n      quarters:\n"
                                  "        - {quarter_end: 2025-06-30, revenue: 33398}\n"),
        expected=(f"{SPEC}:49:12: segments[0].history.csv: give either csv or quarters, "
                  "not both",)),
    Bad("many-problems-at-once",
        edit=("{value: 33.4, currency: CNY", "{value: abc, currency: CNY"),
        more_edits=(("short_name: Alibaba", "shortname: Alibaba"),
                    ("source: tradingkey\n  - title: Price", "source: tk\n  - title: Price"),
                    ("  author: Sample Analyst\n", "  author: Sample Analyst\n  author: X\n")),
        expected=(f'{SPEC}:10:3: brief.author: duplicate key "author" '
                  "(first given on line 9; keep one)",
                  f'{SPEC}:19:3: company.shortname: unknown key (did you mean "short_name"?)',
                  f'{SPEC}:42:22: segments[0].revenue.value: expected a number, got "abc" '
                  "(remove the quotes and any units or commas)",
                  f'{SPEC}:117:13: risks[0].source: cites unknown source "tk" '
                  "(add it to `sources`)")),
    # --- the file itself ---
    Bad("tab-indent", edit=("  short_name: Alibaba", "\tshort_name: Alibaba"),
        expected=(f"{SPEC}:18:1: YAML syntax error: found character '\\t' that cannot start any "
                  "token (indent with spaces, not tabs)",)),
    Bad("colon-in-unquoted-text", edit=('title: "Alibaba: cloud', 'title: Alibaba: cloud'),
        expected=(f"{SPEC}:7:17: YAML syntax error: mapping values are not allowed here "
                  "(quote text that contains ': ')",)),
    Bad("unterminated-string", text='brief:\n  title: "Alibaba\n  date: 2025-09-01\n',
        expected=(f"{SPEC}:4:1: YAML syntax error: found unexpected end of stream "
                  "(while scanning a quoted scalar that starts at 2:10)",)),
    Bad("empty-file", text="",
        expected=(f"{SPEC}: the file is empty (`briefgen new NAME` writes a starter spec)",)),
    Bad("comments-only", text="# yaml-language-server: $schema=x.json\n\n# TODO\n",
        expected=(f"{SPEC}: the file holds only comments "
                  "(`briefgen new NAME` writes a starter spec)",)),
    Bad("missing-file", setup=_remove_spec, expected=(f"{SPEC}: no such file (check the path)",)),
    # A two-byte "ä" before the bad byte: the column counts characters, not bytes.
    Bad("not-utf8", edit=("Sample Analyst", "S\u00e4mple Analyst \udcff"),
        expected=(f"{SPEC}:9:26: not valid UTF-8 (byte 0xff) (save the file as UTF-8)",)),
    Bad("control-character", edit=("Sample Analyst", "Sample\x07Analyst"),
        expected=(f"{SPEC}:9:17: contains a control character (U+0007) that YAML does not allow "
                  "(delete it; it is often pasted in from a PDF)",)),
    Bad("bell-in-escape", edit=("Sample Analyst", '"Sample\\aAnalyst"'),
        expected=(f"{SPEC}:9:11: brief.author: contains a control character (U+0007) that a "
                  "note cannot show (delete it; write the character itself, not an escape)",)),
    Bad("lone-surrogate", edit=("Sample Analyst", '"Sample \\ud800"'),
        expected=(f"{SPEC}:9:11: brief.author: contains a lone surrogate (U+D800) that a note "
                  "cannot show (delete it; write the character itself, not an escape)",)),
    Bad("beyond-unicode", edit=("Sample Analyst", '"Sample \\U00110000"'),
        expected=(f"{SPEC}:9:19: an escape names a character beyond Unicode's last (U+10FFFF) "
                  "(check the \\U escape: it takes 8 hex digits, at most 0010FFFF)",)),
    Bad("binary-value", edit=("Sample Analyst", "!!binary U2FtcGxl"),
        expected=(f"{SPEC}:9:11: brief.author: binary (!!binary) values are not allowed",)),
    Bad("nested-too-deep", edit=("author: Sample Analyst", "author: " + "[" * 5000 + "]" * 5000),
        expected=(f"{SPEC}:9:60: nested more than 50 levels deep",)),
    Bad("alias-bomb", text=ALIAS_BOMB,
        expected=(f"{SPEC}:5:4: e: more than 50,000 values after expanding aliases "
                  "(is this an alias bomb? a spec needs far fewer)",)),
    Bad("recursive-alias", edit=("\nhighlights:\n", "\nhighlights: &h\n  - *h\n"),
        expected=(f"{SPEC}:86:13: highlights[0]: an alias refers to itself",)),
    Bad("too-large", text="# padding\n" + "#" * 1_000_000 + "\n",
        expected=(f"{SPEC}: file is larger than the limit of 1,000,000 bytes "
                  "(long series belong in a CSV file beside the spec)",)),
    Bad("top-level-list", text="- brief: {}\n- company: {}\n",
        expected=(f"{SPEC}:1:1: expected a mapping of sections (brief, company, …), got a list",)),
    Bad("two-documents", text="brief: {}\n---\ncompany: {}\n",
        expected=(f"{SPEC}:2:1: YAML syntax error: more than one YAML document (a second `---`) "
                  "(a spec is one document; delete the `---` line or split the file)",)),
    Bad("python-tag", edit=("author: Sample Analyst", "author: !!python/name:os.system x"),
        expected=(f"{SPEC}:9:11: brief.author: cannot read value: could not determine a "
                  "constructor for the tag 'tag:yaml.org,2002:python/name:os.system'",)),
]


def _write(root: Path, case: Bad) -> None:
    specs = root / "specs"
    specs.mkdir()
    spec_text = (FIXTURES / "baba.yaml").read_text(encoding="utf-8")
    csv_text = (FIXTURES / "baba-cloud-revenue.csv").read_text(encoding="utf-8")
    for old, new in [case.edit] if case.edit else []:
        spec_text = _replace_once(spec_text, old, new)
    for old, new in case.more_edits:
        spec_text = _replace_once(spec_text, old, new)
    if case.csv_edit:
        csv_text = _replace_once(csv_text, *case.csv_edit)
    content = case.text if case.text is not None else spec_text
    # Lone surrogates stand for raw bytes, so a case can put invalid UTF-8 in the file.
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")
    (root / SPEC).write_bytes(data)
    (specs / "baba-cloud-revenue.csv").write_text(csv_text, encoding="utf-8")
    if case.setup:
        case.setup(root)


def _summary(case: Bad) -> str:
    warnings = sum(": warning: " in line for line in case.expected)
    errors = len(case.expected) - warnings
    parts = [f"{1 if case.exit_code == 0 else 0} of 1 spec valid"]
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def test_cases_are_distinct() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 30
    assert len({case.expected for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_spec(case: Bad, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    args = ["validate", *(["--strict"] if case.strict else []), SPEC]
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stdout.splitlines() == [*case.expected, _summary(case)]
    assert result.exit_code == case.exit_code
    assert "Traceback" not in result.output


def test_fixture_is_valid(tmp_path: Path) -> None:
    """The cases above are edits of a valid spec; if it stopped being valid they prove nothing."""
    for name in ("baba.yaml", "baba-cloud-revenue.csv"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    loaded = load_spec(tmp_path / "baba.yaml", strict=True)
    assert loaded.warnings == []


def test_symlinked_csv_inside_the_folder_is_read(tmp_path: Path) -> None:
    """A desk may keep its histories elsewhere and link them into the spec's folder."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(FIXTURES / "baba-cloud-revenue.csv", shared / "cloud.csv")
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(FIXTURES / "baba.yaml", specs / "x.yaml")
    (specs / "baba-cloud-revenue.csv").symlink_to(shared / "cloud.csv")
    loaded = load_spec(specs / "x.yaml", strict=True)
    assert len(loaded.spec.segments[0].history.quarters) == 5  # type: ignore[union-attr]


def test_folder_given_as_spec_file(tmp_path: Path) -> None:
    """The library (unlike the CLI, where a folder means its specs) refuses a folder."""
    (tmp_path / "x.yaml").mkdir()
    with pytest.raises(SpecError) as caught:
        load_spec(tmp_path / "x.yaml", display="x.yaml")
    assert str(caught.value) == "x.yaml: is a folder, not a file"


def test_merge_keys_override_without_duplicate_error(tmp_path: Path) -> None:
    """`<<: *defaults` then an explicit key is YAML's override idiom, not a duplicate."""
    text = (FIXTURES / "baba.yaml").read_text(encoding="utf-8")
    text = _replace_once(
        text,
        "    - {exchange: NYSE, ticker: BABA, currency: USD}\n",
        "    - &nyse {exchange: NYSE, ticker: BABA, currency: USD}\n",
    )
    text = _replace_once(
        text,
        '    - {exchange: HKEX, ticker: "9988", currency: HKD}\n',
        '    - {<<: *nyse, exchange: HKEX, ticker: "9988", currency: HKD}\n',
    )
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    shutil.copy(FIXTURES / "baba-cloud-revenue.csv", tmp_path)
    listings = load_spec(tmp_path / "x.yaml").spec.company.listings
    assert [(item.exchange, item.ticker, item.currency) for item in listings] == [
        ("NYSE", "BABA", "USD"), ("HKEX", "9988", "HKD"),
    ]


def test_merge_key_bomb_is_stopped(tmp_path: Path) -> None:
    lines = ["a0: &a0 {k: v}"]
    lines += [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], k{i}: v}}" for i in range(1, 40)]
    (tmp_path / "x.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(tmp_path / "x.yaml", display="x.yaml")
    assert "more than 50,000 values after expanding aliases" in str(caught.value)
