"""`briefgen send`: the command over `briefgen.mail.send` (flags in, a summary line out).

Render what is out of date, check it, and mail each brief exactly once; `--brand` styles the
message, its chart and the PDF alike. A `BriefgenError` (bad config, bad `--to`, bad brand file,
missing credential) is not caught here: it reaches `briefgen.cli.main`, which prints it and exits
with its code (2 bad input), or shows the traceback under `--debug`. A delivery that failed
exits 1 after the summary.
"""

from __future__ import annotations

from pathlib import Path

import typer

from briefgen.errors import EXIT_FAILED_RUN, InputError

# Only typer at import time: `briefgen --help` and `briefgen validate` must stay fast, so the
# config, mail, SMTP and render stack are imported when the command runs.


def register(app: typer.Typer) -> None:
    app.command("send")(send)


def send(
    specs: list[Path] = typer.Argument(..., help="Spec files to send."),
    config_path: Path | None = typer.Option(
        None, "--config", "-c", help="Delivery config (YAML). Without it: --to is needed, mail "
        "goes to localhost:25 from briefgen@localhost."),
    to: list[str] | None = typer.Option(
        None, "--to", help="Send to this address instead of the config's recipients "
        "(repeatable)."),
    out: Path = typer.Option(Path("output"), "--out", "-o", help="Output folder."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write each message as "
                                 "output/<slug>/email.eml instead of sending."),
    assume_sent: bool = typer.Option(
        False, "--assume-sent", help="Resolve unknown outcomes (a run stopped or lost the "
        "connection after DATA began) as delivered: record them as sent, send nothing to them. "
        "Use when the mail server's log shows the Message-ID arrived."),
    resend: bool = typer.Option(
        False, "--resend", help="Resolve unknown outcomes by sending again: use when the mail "
        "server's log shows the Message-ID did not arrive (if it did, the reader gets it twice)."),
    force: bool = typer.Option(
        False, "--force", help="Send again even to recipients the ledger says already have this "
        "brief (and to unknown outcomes): every one of them gets a duplicate. Recipients another "
        "running `send` is sending to right now are still skipped."),
    brand: Path | None = typer.Option(
        None, "--brand", "-b", help="Brand file (brand.yaml): styles the message, its chart and "
        "the PDF, as for `briefgen render --brand`."),
) -> None:
    """Mail each spec's brief to its recipients, once: a second run sends nothing new.

    Runs at the same time (a schedule and a person) split the work and never send one message
    twice. An outcome is "unknown" when a run stopped or lost the connection after the message
    data began and before the server answered: the reader may have it. Such recipients are not
    retried; check the server's log for the Message-ID printed, then run again with
    --assume-sent or --resend (with --to to pick recipients)."""
    from briefgen.mail.config import DeliveryConfig, check_address, load_delivery
    from briefgen.mail.ledger import Decision
    from briefgen.mail.send import send_specs

    chosen = [flag for flag, on in (("--assume-sent", assume_sent), ("--resend", resend),
                                    ("--force", force)) if on]
    if len(chosen) > 1:
        raise InputError(f"{' and '.join(chosen)}: choose one")
    decision: Decision = ("assume-sent" if assume_sent else "resend" if resend
                          else "force" if force else "normal")

    # Without a config: the local mail server, in plain text (it never leaves the machine).
    config = (load_delivery(config_path) if config_path
              else DeliveryConfig.model_validate({"smtp": {"tls": "none"}}))
    for address in to or []:
        try:
            check_address(address)
        except ValueError as exc:
            raise InputError(f"--to: {exc}") from None
    options = None
    loaded = None
    if brand is not None:
        from briefgen.brand.load import load_brand
        from briefgen.build.pipeline import RenderOptions

        loaded = load_brand(brand)
        # The brand's templates folder and brand make the render (and its cache key) match.
        options = RenderOptions(brand=loaded.brand, template_dirs=loaded.template_dirs)
    summary = send_specs(specs, config, out_dir=out, to=to or None, dry_run=dry_run,
                         decision=decision, brand=loaded.brand if loaded else None, options=options,
                         echo=typer.echo)
    held = sum(1 for b in summary.briefs if not b.ok)
    verb = "written" if dry_run else "delivered"
    typer.echo(f"{len(summary.briefs) - held} of {len(summary.briefs)} briefs {verb}")
    if not summary.ok:
        raise typer.Exit(EXIT_FAILED_RUN)


__all__ = ["register", "send"]
