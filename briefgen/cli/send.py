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
from briefgen.words import count

# Only typer at import time: `briefgen --help` and `briefgen validate` must stay fast, so the
# config, mail, SMTP and render stack are imported when the command runs.


def register(app: typer.Typer) -> None:
    app.command("send")(send)


def send(
    specs: list[Path] | None = typer.Argument(None, metavar="SPEC", show_default=False,
                                              hidden=True),
    config_path: Path | None = typer.Option(
        None, "--delivery", "--config", "-c", metavar="FILE",
        help="Delivery config (YAML). [default: the project file's delivery; without one, --to "
        "is needed and mail goes to localhost:25 from briefgen@localhost]"),
    to: list[str] | None = typer.Option(
        None, "--to", metavar="ADDRESS", help="Send to this address instead of the config's "
        "recipients (repeatable)."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="DIR",
                                    help="Output folder. [default: output]"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write each message as "
                                 "<output>/<slug>/email.eml instead of sending."),
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
        None, "--brand", "-b", metavar="FILE", help="Brand file (brand.yaml): styles the "
        "message, its chart and the PDF, as for `briefgen render --brand`."),
    as_json: bool = typer.Option(False, "--json", help="Print what became of each brief as JSON "
                                 "on stdout."),
) -> None:
    """Mail each spec's brief to its recipients, once: a second run sends nothing new.

    SPEC: spec files, folders of them, or globs; without any, the project file's specs.

    Runs at the same time (a schedule and a person) split the work and never send one message
    twice. An outcome is "unknown" when a run stopped or lost the connection after the message
    data began and before the server answered: the reader may have it. Such recipients are not
    retried; check the server's log for the Message-ID printed, then run again with
    --assume-sent or --resend (with --to to pick recipients).

    The PDF attached is the one `briefgen render` made with the same project options: a brief
    on disk that is current for them is sent as it is; one that is not is rendered with them
    first. Each brief's line says which.
    """
    import json

    from briefgen.cli.options import FLAGS, project_specs, resolve_cli_project
    from briefgen.mail.config import DeliveryConfig, check_address, load_delivery
    from briefgen.mail.ledger import Decision
    from briefgen.mail.send import send_specs

    chosen = [flag for flag, on in (("--assume-sent", assume_sent), ("--resend", resend),
                                    ("--force", force)) if on]
    if len(chosen) > 1:
        raise InputError(f"{' and '.join(chosen)}: choose one")
    decision: Decision = ("assume-sent" if assume_sent else "resend" if resend
                          else "force" if force else "normal")

    project = resolve_cli_project(out=out, brand=brand, delivery=config_path)
    specs = specs or project_specs(project)
    # Without a config: the local mail server, in plain text (it never leaves the machine).
    config = (load_delivery(project.delivery) if project.delivery
              else DeliveryConfig.model_validate({"smtp": {"tls": "none"}}))
    for address in to or []:
        try:
            check_address(address)
        except ValueError as exc:
            raise InputError(f"--to: {exc}") from None
    lines: list[str] = []
    # The project's options (brand and templates included): the bytes `render` made.
    summary = send_specs(specs, config, out_dir=project.out_dir, to=to or None,
                         dry_run=dry_run, decision=decision, options=project.render,
                         echo=lines.append if as_json or FLAGS.quiet else typer.echo)
    held = sum(1 for b in summary.briefs if not b.ok)
    if as_json:
        typer.echo(json.dumps({"ok": summary.ok, "dry_run": dry_run, "log": lines,
                               "briefs": [b.to_json() for b in summary.briefs]},
                              indent=2, ensure_ascii=False))
    elif not FLAGS.quiet or not summary.ok:
        verb = "written" if dry_run else "delivered"
        typer.echo(f"{len(summary.briefs) - held} of {count(len(summary.briefs), 'brief')} "
                   f"{verb}")
    if not summary.ok:
        raise typer.Exit(EXIT_FAILED_RUN)


__all__ = ["register", "send"]
