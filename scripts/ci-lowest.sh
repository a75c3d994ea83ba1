#!/bin/sh
# The declared dependency floors, tested: a separate venv gets the lowest version of every
# direct runtime dependency that pyproject.toml allows (uv's --resolution lowest-direct, the
# [dask] extra included), the test tools at their newest within those pins, and runs the suite
# once (the slow and end-to-end tests are left to the main run). Used by `make lowest` and .ci/run.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${LOWEST_VENV:-.venv-lowest}
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet uv
UV="$VENV/bin/uv"
# Pins for the runtime side only, so the floors of pytest & co. do not decide what is tested.
"$UV" pip compile --quiet --python "$VENV/bin/python" --resolution lowest-direct \
  --extra dask pyproject.toml -o "$VENV/lowest.txt"
echo "lowest direct versions:"
grep -iE '^(pyyaml|ruamel-yaml|ruamel.yaml|pydantic|typer|rich|jinja2|matplotlib|weasyprint|croniter|watchfiles|dask)==' \
  "$VENV/lowest.txt" | sed 's/^/  /'
"$UV" pip install --quiet --python "$VENV/bin/python" -c "$VENV/lowest.txt" -e '.[test]'
# The help snapshot is typer's layout of the newest typer; the floors only need to work.
"$VENV/bin/python" -m pytest -n 2 -q -m "not slow and not e2e" -p no:cacheprovider \
  --deselect tests/cli/test_help.py::test_every_help_matches_the_snapshot
