# Two entry points, each creating .venv as needed:
#   make render   set up, then render the sample spec to output/
#   make test     set up, then lint, type-check and run the test suite (~3 minutes on 2 cores)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: render test slow setup system lint golden bench clean lowest wheel-check ci

setup: $(STAMP) system

# Re-install only when the project's dependencies change.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "briefgen needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

system:
	@sh scripts/check-system.sh

render: setup
	$(BIN)/briefgen render specs/baba.yaml

lint: setup
	$(BIN)/ruff check briefgen tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Every test but the few marked slow, which take minutes each (the generated corpora at full
# size); `make slow` runs those, and `make ci` (so .ci/run) runs both.
test: lint
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

slow: setup
	$(BIN)/python -m pytest -n 2 -q -m slow

# The declared dependency floors, installed exactly (uv, lowest-direct) in .venv-lowest and tested.
lowest:
	sh scripts/ci-lowest.sh

# The built wheel in a fresh venv outside the repository: init, render, send --dry-run, preview.
wheel-check:
	sh scripts/ci-wheel.sh

# Everything .ci/run checks, in order.
ci: test slow lowest wheel-check

# Regenerate the golden HTML files after an intended change to the templates.
golden: setup
	$(BIN)/python -m tests.helpers.golden --regenerate

# Every performance target as a ratio measured in one run, with PASS/FAIL (run it twice).
bench: setup
	$(BIN)/python bench/targets.py

clean:
	rm -rf $(VENV) .venv-lowest output build dist *.egg-info
