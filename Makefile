# Jutsu Labs — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install lint typecheck bench clean web web-deps e2e-deps audit security reliability

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

## run: install, build the dashboard, migrate the embedded SQLite database, load market data
## (JUTSU_DATA_DIR's CSVs, else seeded synthetic data), backtest the registered strategies and
## serve everything on http://127.0.0.1:8000 (scheduler in dry-run). Safe and fast to repeat.
run: install web
	$(BIN)/jutsu quickstart
	$(BIN)/jutsu serve --host 127.0.0.1 --port 8000

## test: install test extras, lint, type-check and run the whole suite
test: install web e2e-deps lint typecheck security audit
	$(BIN)/pytest -q -n 2 --dist loadfile

## web: the dashboard — npm ci (from the committed lock) and a build, only when web/dist is older than the sources
WEB_SRC := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package.json web/vite.config.ts web/tailwind.config.js web/tsconfig.json

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web-deps: web/node_modules/.package-lock.json

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build
	@touch $@

web: web/dist/index.html

## e2e-deps: Debian's Chromium for the Playwright end-to-end tests (never a downloaded browser) and
## nginx (its config is checked with `nginx -t`)
e2e-deps:
	@{ command -v chromium && command -v nginx; } >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium nginx-light >/dev/null; } || echo "warning: chromium/nginx not installed; browser and nginx-config tests will fail"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

## security: bandit at medium/high severity (must be clean)
security: install
	$(BIN)/bandit -r src -ll -q -x src/jutsu/data/migrations

## audit: known-vulnerability check of installed packages (needs network to PyPI/OSV; advisory
## lookups that fail offline do not fail the target — read the output)
audit: install
	$(BIN)/pip-audit --progress-spinner off || echo "pip-audit reported problems or could not reach the advisory service (non-fatal)"

## reliability: the full reliability campaign (crash points, 10 min load, catalogue, faults, security);
## writes docs/reliability/figures.{json,md}. CI runs the quick subset in tests/reliability.
reliability: install
	JUTSU_RELIABILITY_FULL=1 $(BIN)/python bench/reliability/campaign.py

bench: install
	$(BIN)/python bench/data_load.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
