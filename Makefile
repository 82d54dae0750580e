# Luodi: `make demo` serves the demo on SQLite, `make test` runs ruff and the test suite.
#
# `install` is stamp-driven: the Python environment is reinstalled only when pyproject.toml
# changes, node_modules only when package.json or package-lock.json change.
#
# `bench` and `load` measure a generated organization (`luodi bench generate`). `bench` uses
# the configured database: LUODI_DATABASE_URL, else var/luodi.sqlite3 in LUODI_DATA_DIR
# (default ./var). `load` uses PostgreSQL: LUODI_LOAD_DATABASE_URL (see scripts/load/run.py).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.luodi-installed
NODE_STAMP := node_modules/.luodi-installed
LOAD_STAMP := $(VENV)/.luodi-load-installed
PYTEST_ARGS ?=
BENCH_USERS ?= 10000

.DEFAULT_GOAL := help
.PHONY: help install demo serve test lint bench load

help:
	@echo "make demo     install, load the demo data on SQLite and serve http://127.0.0.1:8000"
	@echo "make test     install, then ruff and the pytest suite (PYTEST_ARGS=... to pass options)"
	@echo "make lint     ruff only"
	@echo "make install  Python venv ($(VENV)), npm packages and vendored front-end assets"
	@echo "make bench    luodi bench run on the configured database (LUODI_DATABASE_URL or"
	@echo "              LUODI_DATA_DIR); generates BENCH_USERS=$(BENCH_USERS) people first if needed"
	@echo "make load     50 simulated people on gunicorn + PostgreSQL for 60 s (locust), then"
	@echo "              luodi recompute --check (LUODI_LOAD_DATABASE_URL, LOAD_USERS=10000)"

# copy_vendor.py copies only files that differ, so running it every time is cheap and
# restores src/luodi/static/vendor/ if it was deleted.
install: $(PY_STAMP) $(NODE_STAMP)
	@$(BIN)/python scripts/copy_vendor.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi
	@touch $@

demo: install
	$(BIN)/luodi demo

serve: install
	$(BIN)/luodi migrate --noinput
	$(BIN)/luodi serve

lint: $(PY_STAMP)
	$(BIN)/ruff check src tests

test: install
	$(BIN)/ruff check src tests
	$(BIN)/pytest $(PYTEST_ARGS)

# Locust only here, not in install/test: CI stays lean.
$(LOAD_STAMP): pyproject.toml | $(PY_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,load]'
	@touch $@

bench: $(PY_STAMP)
	$(BIN)/luodi migrate --noinput
	@$(BIN)/luodi shell --no-imports -v 0 -c "import sys; from luodi.orgs.models import Organization; \
	sys.exit(0 if Organization.objects.filter(slug='bench').exists() else 3)" \
	|| $(BIN)/luodi bench generate --users $(BENCH_USERS)
	$(BIN)/luodi bench run

load: $(LOAD_STAMP)
	$(BIN)/python scripts/load/run.py
