# Two entry points, each creating .venv as needed:
#   make render   set up, then render the sample spec to output/
#   make test     set up, then lint, type-check and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: render test setup system lint golden bench clean

setup: $(STAMP) system

# Re-install only when the project's dependencies change.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "briefgen needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

system:
	@sh scripts/check-system.sh

render: setup
	$(BIN)/briefgen render specs/baba.yaml

lint: setup
	$(BIN)/ruff check briefgen tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/python -m pytest -n 2 -q

# Regenerate the golden HTML files after an intended change to the templates.
golden: setup
	$(BIN)/python -m tests.helpers.golden --regenerate

bench: setup
	$(BIN)/python bench/render_bench.py

clean:
	rm -rf $(VENV) output build dist *.egg-info
