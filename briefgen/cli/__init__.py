"""The `briefgen` command: typer commands over the library, nothing else. Its entry point is
`briefgen.cli.main:main`; the commands live one group to a module (spec, render, send, schedule,
author). Nothing is imported here, so importing a command module stays cheap."""
