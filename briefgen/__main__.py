"""`python -m briefgen`: the same as the `briefgen` command."""

from briefgen.cli.main import main

main()
