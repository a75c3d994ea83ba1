"""Composing email: one message per brief, and the weekly digest of a whole run.

A brief's message is the page-1 story of the note for a reader who gives it seconds: rating and
target, headline, standfirst, key takeaways, the headline chart and a pointer to the full note,
which is attached as PDF. Its structure, built with the standard library only:

    multipart/mixed
      multipart/alternative
        text/plain                    (the same content, wrapped at 72 columns)
        multipart/related
          text/html                   (tables, inline styles, no scripts, no remote images)
          image/png                   (the chart, referenced from the HTML as cid:...)
      application/pdf                 (the note; optionally text/html, the note's HTML)

Templates live in `templates/email/` (a config's `templates:` folder is searched first; `default:`
names a built-in one). HTML templates are autoescaped: every piece of spec text is escaped.
Nothing here sends anything, reads the clock directly, or decides who has already had a message:
see `smtp.py` and `ledger.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from briefgen.brand.model import DEFAULT_BRAND, Brand
from briefgen.charts.draw import planned_chart
from briefgen.derive import Derived
from briefgen.derive import formatting as fmt
from briefgen.derive.changes import Changes
from briefgen.derive.text import DERIVED_MARK
from briefgen.mail.config import DeliveryConfig, Recipients
from briefgen.note.model import implied_upside, price
from briefgen.note.templates import cached_environment
from briefgen.spec.model import Spec

Clock = Callable[[], dt.datetime]
# Said once under the takeaways when a sentence marks a number; the PDF's notes say how.
DERIVED_NOTE = (f"{DERIVED_MARK} Derived by arithmetic from reported figures; "
                "the attached note says how.")

def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class BriefContent:
    """What one brief's message is made from. `content_hash` identifies the brief's content."""

    slug: str
    spec: Spec
    derived: Derived
    pdf: bytes
    content_hash: str
    html: bytes | None = None  # attached only when the config says include_html
    chart_png: bytes | None = None  # the headline chart, shown inline
    changes: Changes | None = None  # since the previous note: the teaser leads with the top one

    def attachments(self, config: DeliveryConfig) -> dict[str, bytes]:
        """Every part counted against the attachment budget, by file name."""
        found = {f"{self.slug}.pdf": self.pdf}
        if config.include_html and self.html is not None:
            found[f"{self.slug}.html"] = self.html
        if self.chart_png:
            found["chart.png"] = self.chart_png
        return found


# --- templates -------------------------------------------------------------------------------


def _render(config: DeliveryConfig, name: str, context: dict[str, Any]) -> str:
    folders = (config.templates,) if config.templates is not None else ()
    return cached_environment(folders, "email").get_template(name).render(context)


def render_subject(config: DeliveryConfig, names: dict[str, str]) -> str:
    """The Subject from the config's template, on one line (no header injection)."""
    text = SandboxedEnvironment(autoescape=False).from_string(config.subject).render(names)
    return " ".join(text.split()) or names["subject"]


# --- identifiers -----------------------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def message_id(kind: str, content_hash: str, recipients: Recipients, domain: str) -> str:
    """The same brief, content and recipients always give the same Message-ID."""
    who = "\0".join(sorted(recipients.envelope()))
    return f"<{kind}.{_digest(kind, content_hash, who)[:24]}@{domain}>"


def _headers(msg: EmailMessage, subject: str, recipients: Recipients, config: DeliveryConfig,
             msgid: str, clock: Clock) -> None:
    msg["Subject"] = subject
    msg["From"] = config.sender.from_
    if recipients.to:
        msg["To"] = ", ".join(recipients.to)
    elif not recipients.cc:  # Bcc only: say so rather than leave To empty
        msg["To"] = "undisclosed-recipients:;"
    if recipients.cc:
        msg["Cc"] = ", ".join(recipients.cc)
    # No Bcc header, ever: Bcc recipients exist only in the SMTP envelope.
    if config.sender.reply_to:
        msg["Reply-To"] = config.sender.reply_to
    now = clock()
    msg["Date"] = format_datetime(now if now.tzinfo else now.replace(tzinfo=dt.UTC))
    msg["Message-ID"] = msgid
    msg["X-Mailer"] = "briefgen"
    unsubscribe = config.unsubscribe.header() if config.unsubscribe else None
    if unsubscribe:
        msg["List-Unsubscribe"] = unsubscribe
        if config.unsubscribe and config.unsubscribe.url:  # RFC 8058: one click, https only
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


# --- one brief ---------------------------------------------------------------------------------


def brief_context(brief: BriefContent, config: DeliveryConfig, brand: Brand) -> dict[str, Any]:
    """Everything the templates show, as ready-made strings: templates do no arithmetic."""
    spec, d = brief.spec, brief.derived
    target = spec.brief.price_target
    # The rating strip: (label, value, note) cells, only those the spec gives.
    cells: list[tuple[str, str, str]] = []
    if spec.brief.rating is not None:
        cells.append(("Rating", spec.brief.rating.value, ""))
    if target is not None:  # prices and upside worded as the note words them (notemodel)
        cells.append(("Target", price(target.value, target.currency),
                      f"{target.listing}, {target.horizon_months} months"))
        upside = implied_upside(target)
        if upside is not None and target.price_at_setting is not None:
            cells.append(("Upside", upside.text,
                          f"from {price(target.price_at_setting, target.currency)}"))
    seg = d.headline
    url = f"{config.base_url.rstrip('/')}/{brief.slug}/brief.html" if config.base_url else None
    chart = planned_chart(spec, d, "revenue")
    marked = any(sentence.derived for sentence in [d.standfirst, *d.takeaways])
    since_last = _since_last(brief.changes)
    return {
        "brand": brand,
        "colours": brand.colours,
        # The note's own font stack (note.html's --font): mail clients fetch no web fonts, so
        # the brand's family shows where it is installed and Helvetica or Arial elsewhere.
        "font_stack": font_stack(brand),
        "language": spec.brief.language,
        "contents": note_contents(spec, d, brand),
        "unsubscribe": config.unsubscribe,
        "title": spec.brief.title,
        "company": spec.company.name,
        "listings": d.listings_text,
        "sector": spec.company.sector,
        "period": spec.period.fiscal_label,
        "date": fmt.date_long(spec.brief.date),
        "author": spec.brief.author,
        "desk": spec.brief.desk,
        "rating": {"cells": cells} if cells else None,
        # Sentences as plain text with † after each derived number, in both parts; the preheader
        # (the inbox's one-line preview) stays unmarked.
        "standfirst": _closed(d.standfirst.marked()),
        "preheader": (f"{since_last['heading']} {since_last['text']} " if since_last else "")
        + _closed(d.standfirst.text),
        "since_last": since_last,
        "summary": spec.brief.summary,
        "takeaways": [t.marked() for t in d.takeaways],
        "derived_note": DERIVED_NOTE if marked else None,
        "key_data": d.key_data,
        "verdict": seg.verdict,
        "chart_cid": f"chart.{brief.slug}@{config.domain}" if brief.chart_png else None,
        # The chart's own title (the PNG carries title and units) and its data in words, as the
        # note's SVG says it: read out, or shown when the client blocks images, and printed in
        # the text part.
        "chart_caption": chart.title if chart else None,
        "chart_alt": chart.alt if chart and brief.chart_png else None,
        "chart_source": d.source_line(seg.history_sources),
        "pdf_name": f"{brief.slug}.pdf",
        "pdf_size": size_text(len(brief.pdf)),
        "url": url,
    }


def font_stack(brand: Brand) -> str:
    """The note's font stack (templates/note.html's --font) for an inline style attribute."""
    families = [brand.font_family, *(["Inter"] if brand.font_family != "Inter" else []),
                "Helvetica Neue", "Arial", "sans-serif"]
    return ",".join(f"'{f}'" if " " in f else f for f in families)


def note_contents(spec: Spec, derived: Derived, brand: Brand) -> str:
    """What the attached note holds beyond the message, named from the sections it has:
    "results against consensus, capital spending, risks, sources and disclosures"."""
    from briefgen.note.model import build_note

    note = build_note(spec, derived, brand)
    parts = [note.results_heading.lower()]
    if note.capex:
        parts.append("capital spending")
    if note.footprint or note.sites:
        parts.append("infrastructure")
    if note.market:
        parts.append("the market's reaction")
    if note.highlights:
        parts.append("highlights")
    if note.quotes:
        parts.append("what management said")
    if note.views:
        parts.append("analysts' views")
    if note.risks:
        parts.append("risks")
    return ", ".join([*parts, "sources and disclosures"])


def _since_last(changes: Changes | None) -> dict[str, str] | None:
    """The teaser's lead: the top-ranked change since the previous note, as the note words it."""
    top = changes.top() if changes else []
    if changes is None or not top:
        return None
    return {"heading": f"Since our last note ({changes.old_date}):",
            "text": _closed(top[0].summary)}


def _closed(text: str) -> str:
    """A generated clause as a sentence: capital first, full stop last."""
    return fmt.sentence_case(text) + ("" if text.endswith(".") else ".")


def compose(
    brief: BriefContent,
    recipients: Recipients,
    config: DeliveryConfig,
    *,
    brand: Brand = DEFAULT_BRAND,
    clock: Clock = utc_now,
) -> EmailMessage:
    """One brief's message to `recipients`; Bcc recipients are left for the SMTP envelope."""
    context = brief_context(brief, config, brand)
    spec = brief.spec
    subject = render_subject(config, {
        "subject": brief.derived.subject, "company": spec.company.short_name or spec.company.name,
        "ticker": spec.company.listings[0].ticker, "title": spec.brief.title,
        "period": spec.period.fiscal_label, "slug": brief.slug,
        "rating": spec.brief.rating.value if spec.brief.rating else "",
        "date": spec.brief.date.isoformat()})
    context["subject"] = subject
    msg = EmailMessage()
    _headers(msg, subject, recipients, config,
             message_id(brief.slug, brief.content_hash, recipients, config.domain), clock)
    msg.set_content(_render(config, "brief.txt", context))
    msg.add_alternative(_render(config, "brief.html", context), subtype="html")
    if brief.chart_png and context["chart_cid"]:
        html_part = msg.get_body(("html",))
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(brief.chart_png, "image", "png", cid=f"<{context['chart_cid']}>",
                              filename="chart.png", disposition="inline")
    msg.add_attachment(brief.pdf, "application", "pdf", filename=f"{brief.slug}.pdf")
    if config.include_html and brief.html is not None:
        msg.add_attachment(brief.html, "text", "html", filename=f"{brief.slug}.html")
    return msg


def size_text(count: int) -> str:
    """`113 KB`, `12.3 MB`: sizes as a person reads them."""
    if count < 1024 * 1024:
        return f"{max(1, round(count / 1024)):,} KB"
    return f"{count / 1048576:,.1f} MB"


# --- the weekly digest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestEntry:
    """One brief of a run, as a line of the digest table."""

    slug: str
    company: str  # "Alibaba Group (NYSE: BABA)"
    period: str  # "June quarter 2025 (Q1 FY2026)"
    headline: str  # "Cloud revenue RMB 33.4bn, +26% y/y"
    versus: str | None = None  # "+7.6 pp vs consensus"
    verdict: str | None = None  # "beat", "miss" or "in line"
    rating: str | None = None
    target: str | None = None  # "USD 150.00"
    pdf: Path | None = None


@dataclass(frozen=True)
class DigestFailure:
    """A brief of the run that was held back, and why (one line in the digest)."""

    slug: str
    reason: str


def digest_entry(slug: str, spec: Spec, derived: Derived, pdf: Path | None) -> DigestEntry:
    """A digest line from a brief's spec and derived figures (both cheap: no rendering)."""
    seg = derived.headline
    short = seg.called
    headline = f"{fmt.sentence_case(short)} revenue {seg.revenue.text}"
    if seg.growth_yoy:
        headline += f", {seg.growth_yoy.text} y/y"
    gap = seg.leading_gap[0] if seg.leading_gap else None
    target = spec.brief.price_target
    return DigestEntry(
        slug=slug, company=f"{spec.company.name} ({derived.listings_text})",
        period=spec.period.fiscal_label, headline=headline,
        versus=f"{gap.text} vs consensus" if gap else None, verdict=seg.verdict,
        rating=spec.brief.rating.value if spec.brief.rating else None,
        target=price(target.value, target.currency) if target else None, pdf=pdf)


def compose_digest(
    entries: Sequence[DigestEntry],
    failures: Sequence[DigestFailure],
    recipients: Recipients,
    config: DeliveryConfig,
    *,
    label: str,
    brand: Brand = DEFAULT_BRAND,
    clock: Clock = utc_now,
) -> EmailMessage:
    """The digest of a run: a table of every brief, a line per failure, the PDFs.

    The PDFs are attached when they fit the attachment budget together, else zipped into one
    attachment, else (still too large) listed as links under `base_url`, or by file name."""
    pdfs = {e.slug: e.pdf.read_bytes() for e in entries if e.pdf is not None and e.pdf.is_file()}
    total = sum(len(b) for b in pdfs.values())
    mode, archive = "attached", b""
    if total > config.budget_bytes:
        archive = _zip(pdfs)
        mode = "zipped" if len(archive) <= config.budget_bytes else "linked"
    base = config.base_url.rstrip("/") if config.base_url else None
    rows = [{"entry": e, "attached": e.slug in pdfs,
             "url": f"{base}/{e.slug}/brief.pdf" if base and mode == "linked" else None}
            for e in entries]
    zip_name = f"briefs-{file_label(label)}.zip"
    context = {"brand": brand, "colours": brand.colours, "font_stack": font_stack(brand),
               "label": label, "rows": rows,
               "failures": list(failures), "mode": mode, "zip_name": zip_name,
               "total_size": size_text(total), "budget": size_text(config.budget_bytes),
               "unsubscribe": config.unsubscribe,
               "subject": f"{brand.firm_name}: research digest, {label}"}
    content = digest_content_hash(entries, failures, label)
    msg = EmailMessage()
    _headers(msg, str(context["subject"]), recipients, config,
             message_id(f"digest.{file_label(label)}", content, recipients, config.domain), clock)
    msg.set_content(_render(config, "digest.txt", context))
    msg.add_alternative(_render(config, "digest.html", context), subtype="html")
    if mode == "attached":
        for slug, data in pdfs.items():
            msg.add_attachment(data, "application", "pdf", filename=f"{slug}.pdf")
    elif mode == "zipped":
        msg.add_attachment(archive, "application", "zip", filename=zip_name)
    return msg


def digest_content_hash(entries: Sequence[DigestEntry], failures: Sequence[DigestFailure],
                        label: str) -> str:
    """What the digest says and carries, hashed: the ledger key of a digest."""
    parts = [label]
    for e in entries:
        pdf = hashlib.sha256(e.pdf.read_bytes()).hexdigest() if e.pdf and e.pdf.is_file() else ""
        parts.append(repr((e.slug, e.company, e.period, e.headline, e.versus, e.verdict,
                           e.rating, e.target, pdf)))
    parts.extend(f"{f.slug}: {f.reason}" for f in failures)
    return _digest(*parts)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for slug, data in files.items():
            # A fixed timestamp: the same PDFs always make the same zip.
            info = zipfile.ZipInfo(f"{slug}.pdf", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def file_label(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "run"
