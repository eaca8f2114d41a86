# Mini Ledger: `make run` serves the API, `make test` proves it. Both set everything up first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

export HOST PORT

# What the PDF statement tests need from Debian: pdftoppm and the fonts statements embed.
DEBIAN_TEST_PACKAGES := poppler-utils fonts-dejavu-core fonts-noto-core

.PHONY: run test test-postgres test-citus e2e reliability bench pytest lint format system-packages clean help

help:
	@echo "make run            set up and serve the API at http://$(HOST):$(PORT)/ (SQLite by default)"
	@echo "make test           set up, lint, and run the whole test suite on SQLite"
	@echo "make test-postgres  the same suite against a real, throwaway PostgreSQL server"
	@echo "make test-citus     the same suite against a throwaway Citus cluster (a coordinator, two workers)"
	@echo "make e2e            newman, a real browser and Schemathesis against a live gunicorn"
	@echo "make reliability    crash, outage, many app servers, faults and a 5-minute soak (SQLite, PostgreSQL, Citus)"
	@echo "make bench          throughput and latency under load, as ratios, with targets; then at scale"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

$(VENV)/.e2e: requirements-e2e.txt $(VENV)/.dev
	$(BIN)/pip install --quiet -r requirements-e2e.txt
	touch $@

# newman and playwright-core, at the versions package-lock.json pins, in e2e/node_modules.
e2e/node_modules/.installed: e2e/package.json e2e/package-lock.json
	cd e2e && npm ci --silent --no-audit --no-fund
	touch $@

# A random secret for local use, made once and kept out of git.
.secret_key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

run: $(VENV)/.runtime .secret_key
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret_key)}" $(BIN)/python manage.py migrate --noinput
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret_key)}" $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret_key)}" exec $(BIN)/gunicorn -c gunicorn.conf.py ledger_project.wsgi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

system-packages:
	scripts/ensure-debian-packages $(DEBIAN_TEST_PACKAGES)

pytest: $(VENV)/.dev system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint
	env -u DATABASE_URL $(MAKE) --no-print-directory pytest

test-postgres: $(VENV)/.dev
	scripts/with-postgres $(MAKE) --no-print-directory pytest

# The cluster's databases exist already (with the citus extension, workers added): reuse them.
test-citus: $(VENV)/.dev
	scripts/with-citus $(MAKE) --no-print-directory pytest PYTEST_ARGS="--reuse-db $(PYTEST_ARGS)"

e2e: $(VENV)/.e2e e2e/node_modules/.installed system-packages
	scripts/ensure-debian-packages chromium
	$(BIN)/python e2e/run.py

# SQLite (crash, soak); PostgreSQL (outage, two servers, three behind HAProxy through
# PgBouncer); Citus (three behind HAProxy through PgBouncer, a stopped worker, a third worker).
reliability: $(VENV)/.dev system-packages
	scripts/ensure-debian-packages wrk haproxy pgbouncer
	env -u DATABASE_URL $(BIN)/python -m pytest -m "reliability and not postgresql" $(PYTEST_ARGS)
	scripts/with-postgres $(BIN)/python -m pytest -m "reliability and not soak and not citus" $(PYTEST_ARGS)
	scripts/with-citus $(BIN)/python -m pytest --reuse-db -m "reliability and not soak" $(PYTEST_ARGS) \
		tests/reliability/test_balanced.py tests/reliability/test_citus.py

# The workloads on one server (bench/run.py), then a small book beside 100,000 others with
# 10,000,000 entries, on Citus (32 shards over two workers) and on PostgreSQL (bench/scale.py).
bench: $(VENV)/.dev
	scripts/ensure-debian-packages wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	CITUS_SHARD_COUNT=32 scripts/with-citus $(BIN)/python bench/scale.py $(SCALE_ARGS)
	scripts/with-postgres $(BIN)/python bench/scale.py $(SCALE_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache e2e/node_modules screenshots
