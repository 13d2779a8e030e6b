# The two commands: `make run` (try Chibo) and `make test` (lint and the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint format messages install clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Chibo needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

install: $(VENV)/.run-deps

# Serve the embedded default (SQLite, in-process tasks) unless the environment says otherwise.
run: export DEBUG ?= true
run: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Chibo: http://127.0.0.1:8000  (stop with Ctrl-C). E-mails are printed here."
	@# The reminder scan runs beside the server (Celery beat's job on the real stack).
	$(BIN)/python manage.py run_reminders & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Lint, then every test against real PostgreSQL and Redis (see scripts/with_services.py).
test: lint
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/with_services.py $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Refresh the translation catalogues after changing user-facing strings.
messages: $(VENV)/.dev-deps
	$(BIN)/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=var --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/static
