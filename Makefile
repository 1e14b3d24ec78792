# Tendril Learn — everything starts from `make run` or `make test` on a machine with python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run serve test test-fast test-e2e check lock install install-test chromium migrate bench eval-tutor eval-coach screenshots clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs come from the lock files, so a fresh clone gets exactly the versions CI tested;
# `make lock` regenerates them after a change to pyproject.toml.
$(VENV)/.installed: requirements.lock pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements-dev.lock pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

# Start-up keeps the catalogue's search index in step with content/ (a no-op when unchanged).
migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py index_lessons

run: migrate
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production mode on this machine: DEBUG off, granian (it reads slow clients' requests
# asynchronously before Django sees them: config/serve.py, docs/operations.md), whitenoise
# serving compressed, hashed static files. Needs DJANGO_SECRET_KEY (and DATABASE_URL / REDIS_URL for shared state).
# Plain-HTTP localhost, so no redirect to HTTPS unless DJANGO_SECURE_SSL_REDIRECT=1.
serve: export DJANGO_DEBUG = 0
serve: export DJANGO_SECURE_SSL_REDIRECT ?= 0
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo 'make serve: set DJANGO_SECRET_KEY first, e.g. export DJANGO_SECRET_KEY="$$(python3 -c "import secrets; print(secrets.token_urlsafe(50))")"' >&2; exit 1; }
	$(PY) manage.py check --deploy --fail-level ERROR
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py index_lessons
	HOST=$(HOST) PORT=$(PORT) $(PY) -m config.serve

# Test tiers: everything; everything but the browser tests; only the browser tests.
# One pytest-xdist worker per CPU (TEST_WORKERS=0 runs them in this process, one at a time);
# a module whose tests share a server keeps them on one worker (its xdist_group).
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadgroup

test: install-test chromium
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

test-fast: install-test
	$(BIN)/pytest -m "not e2e" $(XDIST) $(PYTEST_ARGS)

test-e2e: install-test chromium
	$(BIN)/pytest -m e2e $(XDIST) $(PYTEST_ARGS)

check: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check_content

lock: | $(PY)
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host --extra test --extra dev -o requirements-dev.lock pyproject.toml

# `make serve` under load from wrk, page weight in Chromium, Lighthouse, the in-process hot
# paths (median and p95; quiz and sync on PostgreSQL too), then a generated 1,600-lesson
# catalogue (bench/catalogue_scale.py, about 3 minutes): all dated in bench/results.md.
bench: install-test chromium
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	@[ -x bench/.node/node_modules/.bin/lighthouse ] || npm install --silent --no-audit --no-fund --prefix bench/.node lighthouse@12
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/under_load.py

# The main pages at 1280 and 375 px, light and dark, into docs/screenshots/ (README shows them).
screenshots: install-test chromium
	$(PY) tools/screenshots.py

eval-tutor: install-test
	$(PY) manage.py eval_tutor

# Precision and recall of the blameless-language coach, tuning half and held-out half.
eval-coach: install-test
	$(PY) manage.py eval_coach

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
