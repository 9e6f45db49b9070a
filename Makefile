# quizcore: `make run` serves a demo school locally; `make test` runs the test suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INI ?= development.ini
PYTEST_ARGS ?=

.PHONY: run test install deps services lint clean test-plugins-off test-security storm \
	storm-faults install-bench bench-cost bench-release bench-teacher-action

## run: install, migrate the SQLite database, load demo data, serve API + monitor
run: install
	@mkdir -p var
	$(BIN)/quizctl -c $(INI) migrate
	$(BIN)/quizctl -c $(INI) seed-demo
	BIN=$(BIN) bash .ci/devserver.sh $(INI)

## test: make sure MariaDB/Redis run and the quiz user exists, check the import contracts
## (pyproject.toml [tool.importlinter]), then run pytest against them
test: services install
	$(BIN)/lint-imports --no-cache
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

## storm: 1,000 students sit an exam on a private production set-up behind deploy/nginx
## (bench/exam_storm.py; ~8 min; figures in $(STORM_OUT)/storm.json)
STORM_OUT ?= var/storm
STORM_ARGS ?=
FAULT_STUDENTS ?= 400
storm: install install-bench
	bash .ci/services.sh storm
	$(BIN)/python bench/exam_storm.py --students 1000 --json $(STORM_OUT)/storm.json $(STORM_ARGS)

## storm-faults: the storm once per fault (API kill -9, MariaDB restart, Redis down 20 s,
## monitor restart) with $(FAULT_STUDENTS) students and a 2-minute exam; fails if any run loses data
storm-faults: install install-bench
	bash .ci/services.sh storm
	@status=0; for fault in api-kill db-restart redis-down monitor-restart; do \
	  echo "=== fault $$fault ==="; \
	  $(BIN)/python bench/exam_storm.py --students $(FAULT_STUDENTS) --minutes 2 --fault $$fault \
	    --json $(STORM_OUT)/fault-$$fault.json $(STORM_ARGS) || status=1; \
	done; exit $$status

## bench-cost: req/s, p50/p99 of the exam's hot endpoints (auth/me, status, autosave, start,
## violation) against /api/health, wrk through deploy/nginx (bench/request_cost.py; ~4 min;
## figures in $(COST_OUT)/request_cost.json)
COST_OUT ?= var/bench
COST_ARGS ?=
bench-cost: install install-bench
	bash .ci/services.sh storm
	$(BIN)/python bench/request_cost.py --json $(COST_OUT)/request_cost.json $(COST_ARGS)

## bench-release: 1,000 students wait for a teacher_release quiz, poll release-state, and all
## start on the release, through deploy/nginx (bench/released_start.py; ~3 min)
RELEASE_ARGS ?=
bench-release: install install-bench
	bash .ci/services.sh storm
	$(BIN)/python bench/released_start.py --json $(COST_OUT)/released_start.json $(RELEASE_ARGS)

## bench-teacher-action: 300 students poll /attempts/{id}/status every 2 s while a teacher
## extends and force-submits 200 of them, through deploy/nginx; how soon each student sees it
## (bench/teacher_action.py; ~2 min)
TEACHER_ACTION_ARGS ?=
bench-teacher-action: install install-bench
	bash .ci/services.sh storm
	$(BIN)/python bench/teacher_action.py --json $(COST_OUT)/teacher_action.json $(TEACHER_ACTION_ARGS)

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

install-bench: $(VENV)/.installed-bench

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test,bench]'
	touch $@

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf var $(VENV) build src/*.egg-info
