# quizcore: `make run` serves a demo school locally; `make test` runs the test suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INI ?= development.ini
PYTEST_ARGS ?=

.PHONY: run test install deps services lint clean test-plugins-off test-security

## run: install, migrate the SQLite database, load demo data, serve API + monitor
run: install
	@mkdir -p var
	$(BIN)/quizctl -c $(INI) migrate
	$(BIN)/quizctl -c $(INI) seed-demo
	BIN=$(BIN) bash .ci/devserver.sh $(INI)

## test: make sure MariaDB/Redis run and the quiz user exists, then run pytest against them
test: services install
	$(BIN)/pytest $(PYTEST_ARGS)

## test-plugins-off: the whole suite once per plugin, with that plugin removed from the ini
test-plugins-off: services install
	@for plugin in $$($(BIN)/python -c "import pkgutil, quiz_plugins; print(' '.join(m.name for m in pkgutil.iter_modules(quiz_plugins.__path__, 'quiz_plugins.')))"); do \
	  enabled=$$($(BIN)/python -c "from plaster import get_settings; from quizcore.settings import as_list; print('\n'.join(p for p in as_list(get_settings('development.ini','app:main')['quizcore.plugins']) if p != '$$plugin'))"); \
	  echo "=== without $$plugin ==="; \
	  QUIZCORE_TEST_PLUGINS="$$enabled" $(BIN)/pytest -q $(PYTEST_ARGS) || exit 1; \
	done

## test-security: the security suite with the full fuzzing profile (tests/security)
test-security: services install
	QUIZCORE_TEST_SECURITY_PROFILE=full $(BIN)/pytest tests/security $(PYTEST_ARGS)

deps:
	bash .ci/services.sh deps

services:
	bash .ci/services.sh all

install: deps $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check 'pip>=24' 'setuptools>=68,<81' wheel
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

lint: install
	$(BIN)/ruff check src tests bench

clean:
	rm -rf var $(VENV) build src/*.egg-info
