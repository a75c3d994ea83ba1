"""`briefgen check`: every number in a brief's PDF and HTML, matched to its provenance record.

Read back from the files, independently of how they were made: the PDF's text (pypdf) and the
HTML's body (BeautifulSoup, charts included). Each number found must be answered for by an
explained record of `brief.provenance.json`:
- in the HTML, a number in a provenance span is its record (same text, explained); one outside
  a span must be a † mark or a chart's, matched by text to the chart's records;
- in the PDF, whose text has no spans, a number must read as some explained record does (the
  running header and footer repeat the note's date and period; "Page 2 of 5" is page furniture).
A number typed into a template by hand has no origin: it is recorded as unexplained, or not at
all, and either way fails the check. Pages are found here too: the first page whose text has the
number, in reading order.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.build.options import FILE_NAMES, PROVENANCE_FILE
from briefgen.errors import InputError
from briefgen.note.provenance import EXPLAINED, NUMBER, tokens_of

PAGE_FURNITURE = re.compile(r"Page \d+ of \d+")


@dataclass(frozen=True)
class Finding:
    where: str  # "html" or "pdf page 3"
    text: str
    context: str  # the words around it
    problem: str


@dataclass
class Report:
    folder: Path
    html_numbers: int = 0
    pdf_numbers: int = 0
    records: int = 0
    findings: list[Finding] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)  # record id -> page

    @property
    def ok(self) -> bool:
        return not self.findings


def load_records(folder: Path) -> dict[str, Any]:
    path = folder / PROVENANCE_FILE
    if not path.is_file():
        raise InputError(f"{path}: no provenance record (render the brief again with this "
                         "briefgen)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a provenance record: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("numbers"), list):
        raise InputError(f"{path}: not a provenance record (no `numbers` list)")
    return data


def brief_folder(target: Path) -> Path:
    """A brief's folder from the folder itself or any of its files."""
    folder = target if target.is_dir() else target.parent
    if not (folder / PROVENANCE_FILE).is_file() and not (folder / FILE_NAMES["html"]).is_file():
        raise InputError(f"{target}: not a brief's folder (no {FILE_NAMES['html']} or "
                         f"{PROVENANCE_FILE} there)")
    return folder


def check(target: Path) -> Report:
    folder = brief_folder(target)
    data = load_records(folder)
    records: list[dict[str, Any]] = data["numbers"]
    report = Report(folder, records=len(records))
    by_id = {str(r.get("id")): r for r in records}
    explained_texts = {r["text"] for r in records if r.get("kind") in EXPLAINED}
    unexplained = [r for r in records if r.get("kind") not in EXPLAINED]
    for record in unexplained:
        report.findings.append(Finding("record", record["text"], str(record.get("section")),
                                       "recorded as unexplained"))
    html_path = folder / FILE_NAMES["html"]
    if html_path.is_file():
        _check_html(html_path.read_text(encoding="utf-8"), by_id, records, report)
    pdf_path = folder / FILE_NAMES["pdf"]
    if pdf_path.is_file():
        _check_pdf(pdf_path.read_bytes(), explained_texts, records, report)
    return report


def _check_html(text: str, by_id: dict[str, dict[str, Any]], records: list[dict[str, Any]],
                report: Report) -> None:
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, Tag

    soup = BeautifulSoup(text, "html.parser")
    body = soup.body or soup
    chart_texts = Counter(r["text"] for r in records
                          if str(r.get("section", "")).startswith("chart:")
                          and r.get("kind") in EXPLAINED)
    for node in body.find_all(string=True):
        # Text only: a comment, a doctype or a stylesheet prints nothing.
        if type(node) is not NavigableString or (
                isinstance(node.parent, Tag) and node.parent.name in ("style", "script")):
            continue
        parent = node.parent
        for token in tokens_of(str(node)):
            report.html_numbers += 1
            span = parent if isinstance(parent, Tag) and "src" in (parent.get("class") or []) \
                else None
            if span is not None:
                record = by_id.get(str(span.get("data-src")))
                if record is None or record["text"] != token:
                    report.findings.append(Finding("html", token, _context(node),
                                                   "its span names no record of this number"))
                continue  # an unexplained record is reported once, above
            if token.startswith("†") or (isinstance(parent, Tag) and parent.find_parent("sup")):
                continue
            in_chart = isinstance(parent, Tag) and parent.find_parent("svg") is not None
            if in_chart and chart_texts[token] > 0:
                continue
            report.findings.append(Finding("html", token, _context(node),
                                           "not in the provenance record"))


def _context(node: Any) -> str:
    text = " ".join(str(node.parent.get_text(" ") if node.parent else node).split())
    return text[:80]


def _check_pdf(data: bytes, explained: set[str], records: list[dict[str, Any]],
               report: Report) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    per_page: list[Counter[str]] = []
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join((page.extract_text() or "").split())
        text = PAGE_FURNITURE.sub(" ", text)
        matches = list(NUMBER.finditer(text))
        report.pdf_numbers += len(matches)
        per_page.append(Counter(match.group() for match in matches))
        for match in matches:
            token = match.group()
            if token not in explained and token.lstrip("+") not in explained:
                report.findings.append(Finding(
                    f"pdf page {number}", token,
                    text[max(0, match.start() - 30):match.end() + 30],
                    "not in the provenance record"))
    _assign_pages(records, per_page, report)


def _assign_pages(records: list[dict[str, Any]], per_page: list[Counter[str]],
                  report: Report) -> None:
    """The text's records in reading order, each on the first page from the last one that
    prints it; a chart's (recorded after the text) on the first page that prints it."""
    current = 0
    for record in records:
        chart = str(record.get("section", "")).startswith("chart:")
        start = 0 if chart else current
        for index in range(start, len(per_page)):
            if per_page[index][record["text"]] > 0:
                per_page[index][record["text"]] -= 1
                report.pages[str(record["id"])] = index + 1
                current = current if chart else index
                break
