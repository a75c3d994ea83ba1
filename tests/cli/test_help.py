"""Every command's `--help` at 80 columns, against a snapshot; and the conventions it shows.

Regenerate after an intended change: BRIEFGEN_UPDATE_HELP=1 pytest tests/cli/test_help.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import typer.main
from typer.testing import CliRunner

from briefgen.cli.main import app

SNAPSHOT = Path(__file__).with_name("help-80.txt")


# typer 0.29 carries its own copy of click (typer._click): commands and options are matched by
# what they have, not by click's classes.
Command = Any


def subcommands(group: Command) -> list[tuple[str, Command]]:
    if not hasattr(group, "list_commands"):
        return []
    context = group.context_class(group)
    return [(name, group.get_command(context, name)) for name in group.list_commands(context)]


def commands(group: Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in subcommands(group):
        found.extend(commands(command, (*path, name)))
    return found


def all_help() -> dict[tuple[str, ...], str]:
    root = typer.main.get_command(app)
    runner = CliRunner()
    texts = {}
    for path in commands(root):
        # CliRunner lays click's help out for an 80-column terminal.
        result = runner.invoke(app, [*path, "--help"], terminal_width=80)
        assert result.exit_code == 0, result.output
        texts[path] = result.output
    return texts


def test_every_help_matches_the_snapshot() -> None:
    text = "".join(f"=== briefgen {' '.join(path)}\n{help_text}"
                   for path, help_text in all_help().items())
    if os.environ.get("BRIEFGEN_UPDATE_HELP"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), (
        "help changed: BRIEFGEN_UPDATE_HELP=1 pytest tests/cli/test_help.py, and read the diff")


def test_help_fits_80_columns_in_one_metavar_style() -> None:
    for path, text in all_help().items():
        for line in text.splitlines():
            assert len(line) <= 80, (path, line)
            # typer's type hints (<path>, <list[Path]>) and brace metavars ({specs}) are gone:
            # every value is named in capitals (FILE, DIR, N, SPEC...).
            assert not re.search(r"<(path|text|int|float|list\[\w+\]|bool|int range)>", line), \
                (path, line)
            assert not re.search(r"\{[a-z_]+\}", line), (path, line)


def test_a_short_flag_means_one_thing_everywhere() -> None:
    root = typer.main.get_command(app)
    meaning: dict[str, set[str]] = {}

    def walk(command: Command) -> None:
        for param in command.params:
            if param.param_type_name == "option":
                longs = tuple(o for o in param.opts if o.startswith("--"))  # as declared
                for short in (o for o in param.opts if re.fullmatch(r"-\w", o)):
                    meaning.setdefault(short, set()).add(longs[0] if longs else short)
        for _, sub in subcommands(command):
            walk(sub)

    walk(root)
    assert {short: longs for short, longs in meaning.items() if len(longs) > 1} == {}
    assert meaning["-V"] == {"--version"} and meaning["-f"] == {"--format"}
    assert meaning["-o"] == {"--out"} and meaning["-n"] == {"--limit"}
