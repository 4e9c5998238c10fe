# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up here.
# Progress and pip's messages go to stderr, so `make bench` prints only its JSON on stdout.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
ARGS ?=
PYTEST_ARGS ?=
# Three workers, each with its own throwaway PostgreSQL: many tests wait (on servers, child
# processes, a five-minute outage), so three keep two cores busy. About 13 minutes on a 2-core
# machine instead of 26 in one process (PYTEST_WORKERS=0).
PYTEST_WORKERS ?= 3

.PHONY: run test lint bench clean

$(BIN)/python:
	@[ -n "$(PYTHON)" ] || { echo "Facilitator needs Python 3.11 or newer (python3.11 or python3)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Facilitator needs Python 3.11 or newer (found $$($(PYTHON) --version 2>&1))" >&2; exit 1; }
	@echo "creating $(VENV) with $(PYTHON)" >&2
	@$(PYTHON) -m venv $(VENV) >&2 || \
		{ echo "could not create $(VENV) (on Debian: apt-get install python3-venv)" >&2; rm -rf $(VENV); exit 1; }
	@$(PIP) install --upgrade pip >&2

# Reinstalled only when pyproject.toml changes (the stamp is older than it).
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	@echo "installing facilitator into $(VENV)" >&2
	@$(PIP) install -e . >&2
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	@echo "installing facilitator[test] into $(VENV)" >&2
	@$(PIP) install -e '.[test]' >&2
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	@scripts/ensure-system-deps run
	$(BIN)/facilitator $(ARGS)

# The suite starts its own throwaway PostgreSQL (tests/pgserver.py); this only makes sure the
# server programs and Qt's libraries are on the machine.
test: $(TEST_STAMP)
	@scripts/ensure-system-deps test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(TEST_STAMP)
	@scripts/ensure-system-deps bench
	@QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

# .bench-cache/ (the demo database bench builds) is kept: rebuilding it is slow. Remove it by hand.
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .hypothesis \
		*.egg-info build dist
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
