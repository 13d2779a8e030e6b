# The two commands: `make run` (try Chibo) and `make test` (lint and the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A second virtualenv with the runtime requirements alone: the suite starts a real worker from it, so that a
# dependency missing from requirements.txt fails the tests instead of production.
RUNTIME_VENV := .venv-runtime
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: run test lint format messages install requirements clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Chibo needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Both files are complete, pinned and hashed (see `requirements`): pip installs exactly what they list.
$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.run-deps

$(RUNTIME_VENV)/.run-deps: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Chibo needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; exit 1; }
	rm -rf $(RUNTIME_VENV)
	$(PYTHON) -m venv $(RUNTIME_VENV)
	$(RUNTIME_VENV)/bin/pip install --quiet --require-hashes -r requirements.txt
	touch $@

# Compile the pinned, hashed sets from the direct dependencies (requirements.in, requirements-dev.in);
# run after changing either. `UPGRADE=--upgrade make requirements` moves every pin to the newest release.
requirements: $(VENV)/.dev-deps
	$(BIN)/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 $(UPGRADE) \
	  --custom-compile-command "make requirements" requirements.in -o requirements.txt
	$(BIN)/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 $(UPGRADE) \
	  --custom-compile-command "make requirements" requirements-dev.in -o requirements-dev.txt

install: $(VENV)/.run-deps

# Serve the embedded default (SQLite, in-process tasks) unless the environment says otherwise.
run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.run-deps
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Chibo: http://127.0.0.1:$(PORT)  (stop with Ctrl-C). E-mails are printed here."
	@# The reminder scan runs beside the server (Celery beat's job on the real stack).
	$(BIN)/python manage.py run_reminders & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Lint, then every test against real PostgreSQL and Redis (see scripts/with_services.py).
test: lint $(RUNTIME_VENV)/.run-deps
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	CHIBO_RUNTIME_PYTHON=$(abspath $(RUNTIME_VENV))/bin/python \
	  $(BIN)/python scripts/with_services.py $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Refresh the translation catalogues after changing user-facing strings.
messages: $(VENV)/.dev-deps
	$(BIN)/python manage.py makemessages -l vi -l en --ignore=.venv --ignore=var --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) $(RUNTIME_VENV) var/static
