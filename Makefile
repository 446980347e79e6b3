# Malaka: `make run` from a fresh clone serves the demo site; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.DEFAULT_GOAL := help
.PHONY: help run setup install assets migrate demo messages messages-update serve worker test test-fast e2e lint format bench bench-lrs bench-learning bench-assessments bench-evaluation clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

run: setup demo serve ## Set everything up (venv, packages, assets, database, seed) and serve on 127.0.0.1:$(PORT)

setup: install assets messages migrate ## Install dependencies, build assets and translations, migrate

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed ## Create the virtual environment and install Python packages

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

assets: node_modules/.installed ## Install front-end packages from npm and copy them into static/
	$(PY) bin/copy_assets.py

messages: install ## Compile the interface translations (.po → .mo)
	$(PY) manage.py compile_translations

messages-update: install ## After changing interface strings: refresh the catalogues, then translate uz and ru
	$(PY) manage.py makemessages -l uz -l uz_Cyrl -l ru -l en --no-obsolete \
	  --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --ignore=bin
	$(PY) bin/sync_catalogues.py
	$(PY) manage.py compile_translations

migrate: install ## Apply database migrations (SQLite by default)
	$(PY) manage.py migrate --noinput -v0

demo: migrate ## Load the seed organisation, demo accounts and curriculum (idempotent)
	$(PY) manage.py load_seed
	@$(PY) manage.py demo_accounts

serve: ## Serve with a real Celery worker (no setup)
	bin/serve

worker: ## Run a Celery worker and beat on their own
	$(VENV)/bin/celery -A lms worker --beat --pool=solo --loglevel=INFO --schedule var/celerybeat-schedule

test: setup ## Run the whole test suite (unit, integration and browser tests)
	$(VENV)/bin/pytest

test-fast: install messages ## Run the tests without the browser tests
	$(VENV)/bin/pytest -m "not e2e"

e2e: setup ## Run only the browser tests (Chromium driven by Playwright)
	$(VENV)/bin/pytest -m e2e

lint: install ## ruff format --check, ruff check, makemigrations --check
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

format: install ## Format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup ## Run the lesson page-weight benchmark (needs `make demo` first)
	$(PY) bench/lesson_page_weight.py

bench-lrs: install ## Load-test the LRS on PostgreSQL (127.0.0.1:5432, trust auth; drops malaka_bench)
	$(PY) bench/lrs_throughput.py

bench-learning: install messages ## Time My learning and the HR roster on PostgreSQL (drops malaka_bench_learning)
	$(PY) bench/learning_pages.py

bench-assessments: install messages ## Time taking, submitting and grading tests on PostgreSQL (drops malaka_bench_assessments)
	$(PY) bench/assessment_pages.py

bench-evaluation: install ## Time a full evaluation study (200 centres × 36 months, 999 bootstrap draws)
	$(PY) bench/evaluation_study.py

clean: ## Remove the database, media and built files (keeps the venv)
	rm -rf var node_modules lms/static/vendor
