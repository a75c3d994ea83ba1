"""The real steps of a scheduled job: `batch.build`, the mail side's senders, the owner's notice.

Kept apart from `jobs` so that scheduling logic imports nothing of rendering or mail; these are
imported only when a job really runs. Each function matches a Protocol in `schedule.contracts`.

Readers on a job's `lists` receive the briefs in Bcc: the members of a distribution list never see
each other's addresses. A brief that failed to render, or that the mail side's preflight gate
holds back (stale, empty PDF, over the attachment budget), is never mailed; a digest lists it.

The schedules file's `brand:` styles all of it: `build` renders with it (brand and templates
folder, so the cache key counts it), and the per-brief messages and the digest are composed with
it; the per-brief send renders with the same options, so it finds the build's outputs cached.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import DeliveryError, InputError
from briefgen.schedule.contracts import BriefOutcome, DeliveryRequest, FailureNotice
from briefgen.words import count

if TYPE_CHECKING:
    from briefgen.brand.load import LoadedBrand
    from briefgen.build.options import RenderOptions
    from briefgen.mail.config import DeliveryConfig

log = logging.getLogger("briefgen.schedule.jobs")


def render_options(formats: Sequence[str], brand: LoadedBrand | None,
                   project: RenderOptions | None = None) -> RenderOptions:
    """The `RenderOptions` of a job: the project's (brand included) with the job's formats;
    without a project file, the job's formats and the schedules file's brand and templates."""
    from briefgen.build.options import RenderOptions

    if project is not None:
        return dataclasses.replace(project, formats=tuple(formats))
    return RenderOptions(formats=tuple(formats), brand=brand.brand if brand else None,
                         template_dirs=brand.template_dirs if brand else ())


def build(specs: Sequence[Path], out_dir: Path, formats: Sequence[str], *,
          brand: LoadedBrand | None = None,
          options: RenderOptions | None = None) -> list[BriefOutcome]:
    """Render the specs with `batch.build` (cached outputs are reused)."""
    from briefgen.build.batch import build as batch_build
    from briefgen.spec.load import slug_from_path

    run = batch_build(list(specs), out_dir=out_dir, options=render_options(formats, brand, options))
    outcomes = []
    for brief in run.briefs:
        outputs = {Path(name).suffix.lstrip("."): path for name, path in brief.outputs.items()}
        outcomes.append(BriefOutcome(brief.slug or slug_from_path(brief.spec_path),
                                     brief.spec_path, brief.status != "failed", outputs,
                                     brief.error))
    if run.interrupted:
        raise DeliveryError("the build was interrupted; nothing was sent")
    return outcomes


def deliver(request: DeliveryRequest) -> int:
    """Send the rendered briefs of one slot: one digest, or one message per brief."""
    from briefgen.mail.config import load_delivery

    config = load_delivery(request.config)
    unknown = [name for name in request.lists if name not in config.lists]
    if unknown:
        raise InputError(f"{request.config}: no list named {', '.join(unknown)} "
                         f"(lists: {', '.join(config.lists) or 'none'})")
    if request.mode == "digest":
        return _send_digest(request, config)
    return _send_each(request, config)


def _send_each(request: DeliveryRequest, config: DeliveryConfig) -> int:
    from briefgen.mail.config import RecipientRule
    from briefgen.mail.send import send_specs

    # The job's lists replace the config's own rules: every brief to every list, in Bcc.
    audience = config.model_copy(update={"recipients": [
        RecipientRule(specs="*", bcc=list(request.lists))]})
    summary = send_specs([b.spec_path for b in request.rendered], audience,
                         out_dir=request.out_dir, echo=log.info,
                         brand=request.brand.brand if request.brand else None,
                         options=render_options(request.formats, request.brand, request.options))
    failed = [b for b in summary.briefs if not b.ok]
    sent = sum(1 for b in summary.briefs if b.delivery is not None
               and any(o.status == "sent" for o in b.delivery.report.outcomes.values()))
    if failed:
        raise DeliveryError("; ".join(f"{b.slug}: {b.held or 'not delivered to every reader'}"
                                      for b in failed) + f" ({count(sent, 'message')} sent)")
    return sent


def _send_digest(request: DeliveryRequest, config: DeliveryConfig) -> int:
    from briefgen.brand.model import DEFAULT_BRAND
    from briefgen.mail.compose import DigestFailure, digest_entry
    from briefgen.mail.config import Recipients
    from briefgen.mail.send import prepare, send_digest
    from briefgen.mail.smtp import Delivery

    brand = request.brand.brand if request.brand else DEFAULT_BRAND
    rendered = {b.spec_path: b for b in request.rendered}
    entries, failures = [], [DigestFailure(b.slug, f"render failed: {b.error}")
                             for b in request.held_back]
    for prepared in prepare(list(rendered), request.out_dir, config, brand,
                            options=render_options(request.formats, request.brand,
                                                   request.options)):
        if prepared.content is None:  # held back by the preflight gate
            failures.append(DigestFailure(prepared.slug, prepared.problem or "held back"))
            continue
        content = prepared.content
        entries.append(digest_entry(prepared.slug, content.spec, content.derived,
                                    rendered[prepared.spec_path].outputs.get("pdf")))
    if not entries:
        raise InputError("every brief was held back; no digest was sent: "
                         + "; ".join(f"{f.slug}: {f.reason}" for f in failures))
    readers = tuple(dict.fromkeys(a for name in request.lists for a in config.lists[name]))
    delivery = send_digest(entries, failures, config, label=request.label,
                           recipients=Recipients(bcc=readers), out_dir=request.out_dir,
                           brand=brand, echo=log.info)
    assert isinstance(delivery, Delivery)
    if not delivery.ok:
        problems = [f"{a}: {o.detail}" for a, o in delivery.report.outcomes.items()
                    if o.status != "sent"] + [f"{a}: unknown outcome" for a in delivery.unknown]
        raise DeliveryError("the digest did not reach every reader: " + "; ".join(problems))
    return 1 if delivery.report.outcomes else 0  # 0: every reader already had this digest


def notify(notice: FailureNotice) -> None:
    """Mail the job's owner through the SMTP server of the job's delivery config."""
    from briefgen.mail.config import load_delivery
    from briefgen.mail.smtp import send_message

    config = load_delivery(notice.config)
    message = EmailMessage()
    message["Subject"] = notice.subject
    message["From"] = config.sender.from_
    message["To"] = notice.owner
    message["Date"] = format_datetime(notice.sent_at)
    message["Message-ID"] = make_msgid("briefgen-notice", domain=config.domain)
    message["X-Mailer"] = "briefgen"
    message.set_content(notice.body)
    sender = message["From"].addresses[0].addr_spec
    report = send_message(message, sender, [notice.owner], config.smtp,
                          credentials=config.smtp.credentials())
    if not report.ok:
        details = "; ".join(o.detail for o in report.outcomes.values())
        raise DeliveryError(f"the failure notice to {notice.owner} was not sent: {details}")
