"""Sending briefs: render what is out of date, check it, and mail each brief exactly once.

The entry points are `send_specs()` (what `briefgen send` runs) and `send_digest()` (what a
scheduled job runs after a batch); the command itself is the thin layer in `briefgen.cli.send`.

For every spec: build it (cached outputs are reused when they match the spec), pass it through the
preflight gate, compose its message, then either write it as `.eml` (`dry_run`) or hand it to
`smtp.deliver`, which consults the ledger. The gate holds a brief back, before any connection,
when its render failed, its outputs on disk are stale against the spec, its PDF is empty, or its
attachments exceed the budget; the reason is reported and recorded in the ledger as `held`.
A brand (`brand=`, or the one in `options`) styles the message, its chart and the rendered PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import BriefgenError, debugging, escape_text

# Nothing heavy at import time: the config, mail, SMTP and render stack are imported by the
# functions that use them.
if TYPE_CHECKING:
    from briefgen.brand.model import Brand
    from briefgen.build.manifest import BriefResult
    from briefgen.build.options import RenderOptions
    from briefgen.build.worker import RenderFn
    from briefgen.derive.derived import Derived
    from briefgen.mail.compose import BriefContent, DigestEntry, DigestFailure
    from briefgen.mail.config import DeliveryConfig, Recipients
    from briefgen.mail.ledger import BriefKey, Decision, Ledger
    from briefgen.mail.smtp import Delivery
    from briefgen.spec.model import Spec

Echo = Callable[[str], None]


@dataclass
class BriefSend:
    """What became of one spec in `send_specs`."""

    slug: str
    spec_path: Path
    held: str | None = None  # the preflight's reason, when the brief was not sent
    delivery: Delivery | None = None
    eml: Path | None = None  # the message written by --dry-run
    recipients: list[str] = field(default_factory=list)
    origin: str | None = None  # whether the PDF was on disk and current, or rendered now

    @property
    def ok(self) -> bool:
        if self.held is not None:
            return False
        return self.delivery is None or self.delivery.ok

    def to_json(self) -> dict[str, object]:
        """For `briefgen send --json`."""
        delivery = self.delivery
        return {
            "slug": self.slug, "spec": str(self.spec_path), "ok": self.ok, "origin": self.origin,
            "held": self.held, "eml": str(self.eml) if self.eml else None,
            "recipients": self.recipients,
            "outcomes": ({address: outcome.status
                          for address, outcome in delivery.report.outcomes.items()}
                         if delivery else {}),
            "already_sent": list(delivery.already_sent) if delivery else [],
        }


@dataclass
class SendSummary:
    briefs: list[BriefSend]

    @property
    def ok(self) -> bool:
        return all(b.ok for b in self.briefs)


@dataclass
class Prepared:
    """A built brief and what the preflight gate found; `content` is None when held back."""

    slug: str
    spec_path: Path
    period: str
    content_hash: str
    content: BriefContent | None = None
    problem: str | None = None
    origin: str | None = None  # "on disk, current for these options" or "rendered now (why)"


def prepare(spec_paths: Sequence[Path], out_dir: Path, config: DeliveryConfig, brand: Brand,
            *, options: RenderOptions | None = None,
            render: RenderFn | None = None) -> list[Prepared]:
    """Build the specs (reusing cached outputs that match) and pass each through the gate."""
    from briefgen.build.batch import build
    from briefgen.build.progress import Progress

    run = build(list(spec_paths), out_dir=out_dir, options=options, progress=Progress(),
                render=render)
    prepared = [_checked_preflight(brief, out_dir, config, brand) for brief in run.briefs]
    for brief, ready in zip(run.briefs, prepared, strict=True):
        ready.origin = _origin(brief)
    return prepared


def _origin(brief: BriefResult) -> str | None:
    """Which PDF a message carries: the one on disk, or one rendered for this send, and why."""
    pdf = brief.outputs.get("brief.pdf")
    if brief.status == "cached":
        return f"{pdf} is current for these options: sent as it is"
    if brief.status == "rendered":
        return f"rendered {pdf} with these options first ({brief.reason or 'not rendered'})"
    return None


def _checked_preflight(brief: BriefResult, out_dir: Path, config: DeliveryConfig,
                       brand: Brand) -> Prepared:
    """`preflight`, with anything that goes wrong for this brief held back as its problem: one
    brief that cannot be prepared never stops the others being sent."""
    try:
        return preflight(brief, out_dir, config, brand)
    except Exception as exc:
        if debugging():
            raise
        from briefgen.spec.load import slug_from_path

        words = str(exc) if isinstance(exc, BriefgenError) else f"internal error: {exc!r}"
        return Prepared(brief.slug or slug_from_path(brief.spec_path), brief.spec_path,
                        "unknown", "unknown", problem=escape_text(words))


def preflight(brief: BriefResult, out_dir: Path, config: DeliveryConfig,
              brand: Brand) -> Prepared:
    """Hold back a brief whose render failed, whose outputs are stale against its spec, whose
    PDF is empty, or whose attachments exceed the budget. Reads files; connects to nothing."""
    from briefgen.build.cache import cached_record
    from briefgen.derive import derive
    from briefgen.derive.changes import since_previous
    from briefgen.mail.compose import BriefContent, size_text
    from briefgen.spec.load import load_spec, slug_from_path

    slug = brief.slug or slug_from_path(brief.spec_path)
    prepared = Prepared(slug, brief.spec_path, "unknown", "unknown")
    if brief.status == "failed":
        prepared.problem = f"render failed: {brief.error}"
        return prepared
    loaded = load_spec(brief.spec_path)
    prepared.period = loaded.spec.period.quarter_end.isoformat()
    prepared.content_hash = content_hash(loaded.spec)
    record = cached_record(out_dir / slug, brief.cache_key) if brief.cache_key else None
    pdf_path = brief.outputs.get("brief.pdf")
    pdf = pdf_path.read_bytes() if pdf_path is not None and pdf_path.is_file() else b""
    # The bytes attached must be the ones rendered for this spec: checked on what was read.
    recorded = (record.outputs.get("brief.pdf") or {}).get("sha256") if record else None
    if record is None or (pdf_path is not None and hashlib.sha256(pdf).hexdigest() != recorded):
        prepared.problem = ("stale: the outputs on disk were not rendered from the current "
                            "spec (changed since?); render it again")
        return prepared
    if not pdf.startswith(b"%PDF"):
        prepared.problem = "the PDF is empty or missing"
        return prepared
    html_path = brief.outputs.get("brief.html")
    html = html_path.read_bytes() if config.include_html and html_path else None
    derived = derive(loaded.spec)
    content = BriefContent(slug, loaded.spec, derived, pdf, prepared.content_hash, html,
                           _chart(loaded.spec, derived, brand), since_previous(loaded))
    sizes = content.attachments(config)
    total = sum(len(data) for data in sizes.values())
    if total > config.budget_bytes:
        parts = ", ".join(f"{name} {size_text(len(data))}" for name, data in sizes.items())
        prepared.problem = (f"attachments of {size_text(total)} ({parts}) exceed the attachment "
                            f"budget of {size_text(config.budget_bytes)} (attachment_budget_mb in "
                            f"the delivery config)")
        return prepared
    prepared.content = content
    return prepared


def content_hash(spec: Spec) -> str:
    """The ledger's identity of a brief's content: what the spec says, validated (CSV histories
    included). Editing a comment or upgrading briefgen does not make a brief "changed"; editing
    a figure or a sentence does."""
    return hashlib.sha256(spec.model_dump_json().encode()).hexdigest()


def _chart(spec: Spec, derived: Derived, brand: Brand) -> bytes | None:
    from briefgen.build.pipeline import captured_library_warnings
    from briefgen.charts.draw import chart_png, style_for

    try:
        # matplotlib's warnings were reported with the render; here they would only be printed
        # raw on stderr, so they are captured and left.
        with captured_library_warnings("charts", "matplotlib"):
            return chart_png(spec, derived, "revenue", style_for(brand))
    except KeyError:  # no history: the message goes without a chart
        return None


def send_specs(
    spec_paths: Sequence[Path],
    config: DeliveryConfig,
    *,
    out_dir: Path = Path("output"),
    to: list[str] | None = None,
    dry_run: bool = False,
    decision: Decision = "normal",
    brand: Brand | None = None,
    options: RenderOptions | None = None,
    render: RenderFn | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    echo: Echo = print,
) -> SendSummary:
    """Build, check and send each spec's brief; return what happened to each.

    Never raises for a failed delivery (see the summary); raises `InputError` for a missing
    credential before anything is built or sent. `options` and `render` go to `batch.build`.
    `decision` is what to do with unknown outcomes left by an earlier run (`assume-sent`,
    `resend`) or with recipients already sent to (`force`); see `briefgen.mail.ledger`.

    One brand styles the message, its chart and the PDF it attaches: `brand`, else the brand of
    `options`, else the built-in one. A `brand` given without `options` renders with it too;
    given with `options`, it must be the brand of those options."""
    from briefgen.brand.model import DEFAULT_BRAND
    from briefgen.build.writer import OutputWriter
    from briefgen.mail.compose import compose, utc_now
    from briefgen.mail.config import recipients_for
    from briefgen.mail.ledger import BriefKey
    from briefgen.mail.smtp import deliver

    clock = clock or utc_now
    if options is None and brand is not None:
        from briefgen.build.pipeline import RenderOptions

        options = RenderOptions(brand=brand)
    elif brand is not None and options is not None and options.brand not in (None, brand):
        raise ValueError("send_specs: `brand` differs from the brand of `options`")
    brand = brand or (options.brand if options else None) or DEFAULT_BRAND
    credentials = None if dry_run else config.smtp.credentials()
    writer = OutputWriter(out_dir)
    results: list[BriefSend] = []
    prepared_all = prepare(spec_paths, out_dir, config, brand, options=options, render=render)
    ledger = _open_ledger(config, out_dir, dry_run)
    try:
        for prepared in prepared_all:
            result = BriefSend(prepared.slug, prepared.spec_path, origin=prepared.origin)
            results.append(result)
            if prepared.origin:
                echo(f"{prepared.slug}: {prepared.origin}")
            recipients = recipients_for(config, prepared.slug, to)
            result.recipients = recipients.envelope()
            key = BriefKey(prepared.slug, prepared.period, prepared.content_hash)
            reason = prepared.problem or (None if recipients else
                                          "no recipients: add a rule under `recipients` in the "
                                          "delivery config, or pass --to")
            if reason is not None:
                result.held = reason
                echo(f"{prepared.slug}: held back: {reason}")
                if ledger is not None and not dry_run:
                    ledger.hold(key, result.recipients, reason)
                continue
            assert prepared.content is not None
            message = compose(prepared.content, recipients, config, brand=brand, clock=clock)
            if dry_run:
                result.eml = writer.write(Path(prepared.slug) / "email.eml", message.as_bytes())
                _report_dry_run(echo, prepared.slug, result.eml, recipients, key, ledger,
                                decision)
                continue
            assert ledger is not None
            result.delivery = deliver(message, result.recipients, key, ledger, config.smtp,
                                      decision=decision, credentials=credentials,
                                      sleep=sleep)
            _report(echo, prepared.slug, result.delivery)
    finally:
        if ledger is not None:
            ledger.close()
    return SendSummary(results)


def send_digest(
    entries: Sequence[DigestEntry],
    failures: Sequence[DigestFailure],
    config: DeliveryConfig,
    *,
    label: str,
    recipients: Recipients,
    out_dir: Path = Path("output"),
    dry_run: bool = False,
    decision: Decision = "normal",
    brand: Brand | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    echo: Echo = print,
) -> Delivery | Path:
    """Compose the digest of a run and send it once (`dry_run`: write `digest-<label>.eml`).

    Ledger key: ("digest", label, hash of the digest's content), so the same digest for the same
    label goes to each recipient once and a digest whose briefs changed goes again."""
    from briefgen.brand.model import DEFAULT_BRAND
    from briefgen.build.writer import OutputWriter
    from briefgen.mail.compose import compose_digest, digest_content_hash, file_label, utc_now
    from briefgen.mail.ledger import BriefKey, Ledger
    from briefgen.mail.smtp import deliver

    clock = clock or utc_now
    message = compose_digest(entries, failures, recipients, config, label=label,
                             brand=brand or DEFAULT_BRAND, clock=clock)
    key = BriefKey("digest", label, digest_content_hash(entries, failures, label))
    if dry_run:
        path = OutputWriter(out_dir).write(f"digest-{file_label(label)}.eml", message.as_bytes())
        echo(f"digest {label}: written to {path} (dry run)")
        return path
    credentials = config.smtp.credentials()
    with Ledger(config.ledger_path(out_dir), clock=clock) as ledger:
        delivery = deliver(message, recipients.envelope(), key, ledger, config.smtp,
                           decision=decision, credentials=credentials, sleep=sleep)
    _report(echo, f"digest {label}", delivery)
    return delivery


def _open_ledger(config: DeliveryConfig, out_dir: Path, dry_run: bool) -> Ledger | None:
    from briefgen.mail.ledger import Ledger

    path = config.ledger_path(out_dir)
    if dry_run:  # read what is there; never create or change a ledger in a dry run
        return Ledger(path) if path.is_file() else None
    return Ledger(path)


def _report_dry_run(echo: Echo, slug: str, eml: Path, recipients: Recipients, key: BriefKey,
                    ledger: Ledger | None, decision: Decision) -> None:
    from briefgen.mail.config import bare

    plan = ledger.plan(key, recipients.envelope(), decision) if ledger else None
    would = plan.send if plan else recipients.envelope()
    echo(f"{slug}: would send to {', '.join(would) or 'nobody'}; message written to {eml}")
    if recipients.bcc:
        echo(f"{slug}: bcc (envelope only, not in the .eml headers): "
             f"{', '.join(bare(a) for a in recipients.bcc)}")
    if plan and plan.already_sent:
        echo(f"{slug}: already sent to {', '.join(plan.already_sent)}")
    if plan and plan.unknown:
        echo(f"{slug}: unknown outcome for {', '.join(plan.unknown)}")
    if plan and plan.in_progress:
        echo(f"{slug}: being sent by another run to {', '.join(plan.in_progress)}")


UNKNOWN_HINT = ("check the mail server's log for {message_id}: if it arrived, run again with "
                "--assume-sent; if not, with --resend")


def _report(echo: Echo, name: str, delivery: Delivery) -> None:
    if delivery.already_sent:
        echo(f"{name}: already sent to {', '.join(delivery.already_sent)} "
             f"(this content; --force sends it again, a duplicate)")
    if delivery.in_progress:
        echo(f"{name}: being sent by another run to {', '.join(delivery.in_progress)}")
    if delivery.assumed_sent:
        echo(f"{name}: recorded as sent (--assume-sent): {', '.join(delivery.assumed_sent)}")
    if delivery.unknown:
        echo(f"{name}: unknown outcome for {', '.join(delivery.unknown)}: an earlier run "
             f"stopped or lost the connection after DATA began, before the server's answer; "
             + UNKNOWN_HINT.format(message_id=delivery.message_id))
    by_status: dict[str, list[str]] = {}
    for address, outcome in delivery.report.outcomes.items():
        if outcome.status == "sent":
            by_status.setdefault("sent", []).append(address)
        elif outcome.status == "unknown":
            echo(f"{name}: unknown outcome for {address}: {outcome.detail}; "
                 + UNKNOWN_HINT.format(message_id=delivery.message_id))
        else:
            echo(f"{name}: {outcome.status} for {address}: {outcome.detail}")
    if by_status.get("sent"):
        tries = delivery.report.attempts
        echo(f"{name}: sent to {', '.join(by_status['sent'])}"
             + (f" (after {tries} attempts)" if tries > 1 else ""))


__all__ = ["BriefSend", "Echo", "Prepared", "SendSummary", "content_hash", "preflight",
           "prepare", "send_digest", "send_specs"]
