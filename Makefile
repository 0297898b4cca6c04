# Tracksheet. `make run` sets everything up and serves the demo; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

NODE_STAMP := node_modules/.installed

.PHONY: run install ffmpeg chromium faketime readers migrate demo test test-later test-year-end test-services coverage lint typecheck check bench bench-load clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ffmpeg chromium readers

# Other programs' readers the tests check our outputs with (ical.js for calendar feeds), from
# npm into node_modules/ here. Without node the tests that need them skip, except in CI.
readers: $(NODE_STAMP)
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "node and npm are missing: the tests that read feeds with ical.js will skip"; \
	fi

# Deliverables are rendered with ffmpeg, from Debian's package. Installed here when we can
# (root with apt-get); otherwise a clear message, and renders answer 503 with the same advice.
ffmpeg:
	@command -v ffmpeg >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing ffmpeg (Debian package)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; \
		else \
			echo "ffmpeg is missing: install it (sudo apt-get install ffmpeg) to render deliverables"; \
		fi; }

# The browser tests (tests/browser) drive Chromium from Debian's package through Playwright.
# Installed here when we can (root with apt-get); otherwise they skip saying what to install.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing chromium (Debian package) for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
		else \
			echo "chromium is missing: install it (sudo apt-get install chromium) to run the browser tests"; \
		fi; }

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo

run: demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py runserver $(HOST)

# The whole suite on the embedded default (SQLite, tasks in-process). Tests that need the real
# services are skipped here and run by `make test-services`.
test: install
	$(BIN)/pytest -n 2 --create-db -q

# No test may depend on the day it runs. The suite again with the process clock 400 days ahead
# (libfaketime, Debian's faketime; the browser tests stay out: Chromium keeps the real clock),
# and the invoice, numbering and calendar tests once more from 23:55 on 31 December in Berlin,
# in the last minutes of a year (where "today", a year's numbers and a studio's day disagree
# with UTC).
YEAR_END_TESTS := tests/budgets tests/studio/test_calendar_pages.py tests/studio/test_feed_calendars.py \
	tests/studio/test_feed_icaljs.py tests/studio/test_agenda.py tests/studio/test_bookings_api.py \
	tests/sessions/test_pay_documents.py
test-later: install faketime
	faketime -f +400d $(BIN)/pytest -n 2 --create-db -q --ignore=tests/browser
test-year-end: install faketime
	TZ=Europe/Berlin faketime -f "@$$(date +%Y)-12-31 23:55:00" $(BIN)/pytest -n 2 --create-db -q \
		$(YEAR_END_TESTS)

faketime:
	@command -v faketime >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing faketime (Debian package) for the clock tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; \
		else \
			echo "faketime is missing: install it (sudo apt-get install faketime)"; exit 1; \
		fi; }

# The same suite against PostgreSQL, Redis as broker and a real Celery worker.
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tracksheet
CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
CELERY_RESULT_BACKEND ?= redis://127.0.0.1:6379/14
test-services: install
	DATABASE_URL=$(DATABASE_URL) CELERY_BROKER_URL=$(CELERY_BROKER_URL) \
		CELERY_RESULT_BACKEND=$(CELERY_RESULT_BACKEND) TRACKSHEET_SERVICES=1 \
		$(BIN)/pytest -n 2 --create-db -q

# Branch coverage of the whole suite, browser tests included (the live server runs in-process);
# the report lists what no test runs.
coverage: install
	$(BIN)/pytest -n 2 --create-db -q --cov --cov-report=term --cov-fail-under=92

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

bench: install
	$(BIN)/python bench/run.py

# 50 producers for 60 s against gunicorn on a throwaway PostgreSQL database (bench/README.md,
# "Load"). Needs PostgreSQL and Redis, so it is not part of `make bench`.
bench-load: install
	$(BIN)/python bench/load_run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
