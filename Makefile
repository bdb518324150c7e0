# Spoorboek developer commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
# The settings default to production and refuse to start without its secrets; every target
# here is development, so it turns DEBUG on unless the caller says otherwise.
export DJANGO_DEBUG ?= true
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help install run webhook-receiver test browser-deps bench load lint format messages worker beat backup restore clean

help:
	@echo "make run       set up everything (venv, install, migrate, demo data) and serve on $(HOST):$(PORT)"
	@echo "make webhook-receiver  print the demo's webhooks as they arrive (127.0.0.1:8124; beside make run)"
	@echo "make test      install what the tests need, then ruff check, ruff format --check and pytest"
	@echo "make lint      ruff check and format check only"
	@echo "make format    apply ruff format and safe fixes"
	@echo "make messages  refresh and compile the nl/en/pl translation catalogues (needs gettext)"
	@echo "make bench     seed a large agency in a fresh PostgreSQL database and measure it"
	@echo "make load      mixed traffic with locust against gunicorn on loopback (PostgreSQL, Redis)"
	@echo "make worker    run a Celery worker (needs REDIS_URL)"
	@echo "make beat      run Celery beat, the one scheduler (needs REDIS_URL)"
	@echo "make backup    encrypted backup of database and files (PostgreSQL, BACKUP_AGE_RECIPIENTS)"
	@echo "make restore BACKUP=file  restore into an empty database and storage, then verify"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	@touch $@

install: $(VENV)/.synced

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --quiet
	WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true DJANGO_DEBUG_PAGES=false $(BIN)/python manage.py serve_demo $(HOST):$(PORT)

# The demo's webhook receiver (127.0.0.1:8124): prints each event, its signature checked.
webhook-receiver: install
	$(BIN)/python manage.py webhook_receiver 8124

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The suite runs on every core (pytest-xdist): each worker has its own test database; the tests
# that share the one Redis run on one worker (tests/conftest.py). TEST_WORKERS=0 runs it in one
# process (for a debugger or -x).
TEST_WORKERS ?= auto
test: lint browser-deps
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here) and
# check accessibility with axe-core from npm. Without them those tests skip, saying why.
browser-deps: tests/browser/node_modules/.installed
	@test -x /usr/bin/chromium || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; }; } || \
	  echo "Chromium is not installed: the browser tests will be skipped"

tests/browser/node_modules/.installed: tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@; \
	  else echo "npm is not installed: the accessibility checks will be skipped"; fi

# The benchmark: a database of its own (dropped and created again), the reference data
# (BENCH_ARGS="--scale 0.1" for a quicker run) and, with REDIS_URL, a real worker.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= spoorboek_bench
BENCH_ARGS ?=
bench: install
	psql "$(BENCH_PG)/postgres" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $(BENCH_DB) WITH (FORCE)" -c "CREATE DATABASE $(BENCH_DB)"
	psql "$(BENCH_PG)/postgres" -q -c "CREATE ROLE spoorboek_app" 2>/dev/null || true
	DATABASE_URL="$(BENCH_PG)/$(BENCH_DB)" $(BIN)/python manage.py migrate --no-input -v0
	DATABASE_URL="$(BENCH_PG)/$(BENCH_DB)" $(BIN)/python -W ignore manage.py bench $(if $(REDIS_URL),--worker) $(BENCH_ARGS)

# The load scenario (tests/load/): its own database, gunicorn and locust; see docs/performance.md, "Load".
load: install
	$(BIN)/uv sync --frozen --inexact --group load --python $(BIN)/python
	tests/load/run.sh

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(BIN)/python manage.py makemessages --no-obsolete --no-location -l nl -l en -l pl -i ".venv/*" -i "var/*"
	$(BIN)/python manage.py compilemessages -i ".venv" -i "var"

# Backups (docs/operations.md, "Backup and restore"): DATABASE_URL of the owner for a backup, of the
# PostgreSQL superuser for a restore; the age keys from the environment.
backup: install
	$(BIN)/python manage.py backup --prune

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/spoorboek-....tar.age"; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)"

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
