# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The tests run on PostgreSQL, as production does.
TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/mesoclinic

.PHONY: run test venv lint check services clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## Run the app on http://127.0.0.1:8000 with demo data (and a Celery worker if CELERY_BROKER_URL is set).
run: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 scripts/run-dev.sh

## Run the whole test suite (PostgreSQL, Redis, Celery worker, SMTP, Chromium) from scratch.
test: venv services
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/pytest

services:
	bash scripts/ensure-services.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: venv
	DEBUG=0 SECRET_KEY=check-only ALLOWED_HOSTS=clinic.example DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python manage.py check
	DEBUG=1 DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var/db.sqlite3 artifacts
