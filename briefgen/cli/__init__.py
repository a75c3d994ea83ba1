"""The `briefgen` command: typer commands over the library, nothing else."""
