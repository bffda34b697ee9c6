# Gemba — the two commands: `make run` (set up everything and serve the demo) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
GEMBA_PORT ?= 5000
export GEMBA_PORT

.PHONY: run test lint typecheck jstest pytest bench lock venv vendor system-run system-test clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Gemba needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

# Front-end libraries from npm (package-lock.json), copied into static/vendor (git-ignored).
VENDOR_STAMP := static/vendor/.installed-$(shell cat package-lock.json | sha256sum | cut -c1-12)
$(VENDOR_STAMP): package.json package-lock.json scripts/vendor-static
	npm ci --no-audit --no-fund --loglevel=error
	scripts/vendor-static
	@touch $(VENDOR_STAMP)

vendor: $(VENDOR_STAMP)

system-run:
	@scripts/system-packages run

system-test:
	@scripts/system-packages test

## run: install, migrate, seed the demo plant and serve on http://127.0.0.1:$(GEMBA_PORT)
run: system-run venv vendor
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed-demo
	@echo ""
	@echo "Gemba is serving on http://127.0.0.1:$(GEMBA_PORT)  (Ctrl+C stops it)"
	@echo ""
	@# The collector runs beside the web server (its own process) and stops with it.
	$(BIN)/flask --app app plant collect & collector=$$!; \
	trap 'kill $$collector 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:$(GEMBA_PORT) --workers 1 --threads 8 'app:create_app()'

## test: lint, format check, strict type check and the whole test suite with branch coverage
test: system-test venv vendor lint typecheck jstest pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

jstest: vendor
	node --test tests/js/

pytest: venv vendor
	$(BIN)/pytest --cov --cov-report=term

## bench: benchmarks against bare baselines in the same run; one summary line per figure
bench: venv vendor
	$(BIN)/python -m bench

## lock: re-resolve requirements.lock after changing pyproject.toml (needs the registry)
lock: venv
	$(BIN)/python -m pip install --quiet uv==0.13.8
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache .coverage test-artifacts
