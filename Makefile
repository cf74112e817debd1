# The two commands: `make run` (the pipeline on the embedded default) and
# `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# "-pyc": venvs made before the libraries were compiled to bytecode get it once
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml 2>/dev/null | md5sum | cut -c1-12)-pyc
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run demo scale-demo test check unit e2e bench fuzz eval lock golden clean venv vnu browser

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --no-deps -e .
	@# uv installs without .pyc; where PYTHONDONTWRITEBYTECODE is set every command would compile
	@# its libraries again at each start (seconds of a `newsroom status`): compile them once here
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib
	@rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP)

## make run: SeaweedFS + Airflow standalone + the sample articles; Ctrl-C stops it all
run: venv
	$(BIN)/python -m dev.devstack run

## make demo: the same once, from filing to published, then stop and summarise
demo: venv
	$(BIN)/python -m dev.devstack demo

## make scale-demo: the same DAGs on CeleryExecutor (PostgreSQL, Redis, two workers): a backfill across both
scale-demo: venv
	$(BIN)/python -m dev.scalestack demo

## make test: lint, types, then every test tier (unit, DAG integrity, end to end), on two processes
## (each test file on one of them: a file's tests share its servers and run in order)
PYTEST_PROCESSES ?= 2
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_PROCESSES) --dist loadfile
test: venv vnu browser check
	$(PYTEST)

## the Nu HTML Checker for the tests: Java (Debian) if missing, then vnu.jar from npm (package-lock.json)
## (--ignore-scripts: vnu-jar's postinstall would try to download a Java runtime)
vnu:
	@command -v java >/dev/null 2>&1 || { apt-get update && apt-get install -y default-jre-headless; }
	@test -f node_modules/vnu-jar/build/dist/vnu.jar -a -f node_modules/playwright-core/package.json \
		|| npm ci --ignore-scripts --no-audit --no-fund

## a real browser for the desk's test: Debian's chromium (if missing), driven by npm playwright-core (above)
browser: vnu
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y --no-install-recommends chromium; }

check: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: venv vnu
	$(PYTEST) -m "not e2e"

eval: venv
	$(BIN)/python -m eval.run

## make bench: Hugo (Debian) for the side-by-side render comparison, then every benchmark
bench: venv
	@command -v hugo >/dev/null 2>&1 || { apt-get update && apt-get install -y hugo; }
	$(BIN)/python -m bench.run

## make fuzz: the hostile-input figures: 10,000 generated inputs per reader of outside input (bench.fuzz),
## the XSS payload classes through every surface (bench.payloads), faults against the real servers and the
## broken configurations refused at load (bench.faults); fails if anything escapes, executes or is lost
fuzz: venv
	$(BIN)/python -m bench.fuzz
	$(BIN)/python -m bench.payloads
	$(BIN)/python -m bench.faults

## make golden: regenerate the expected render of the sample articles
golden: venv
	$(BIN)/python -m tests.render.golden

lock:
	$(BIN)/uv pip compile requirements.txt --python $(BIN)/python -o requirements.lock

clean:
	rm -rf var bench-out .pytest_cache .mypy_cache .ruff_cache
