# Jutsu Labs — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test install lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

## run: install, migrate the embedded SQLite database, load market data, run the main job
run: install
	$(BIN)/jutsu db upgrade
	$(BIN)/jutsu data import $(or $(JUTSU_DATA_DIR),../shared/data/prices)/*.csv
	$(BIN)/jutsu data list
	$(BIN)/jutsu backtest v3_5b --start 2013-01-10 --end 2025-06-27 --capital 10000 --out runs/v3_5b

## test: install test extras, lint, type-check and run the whole suite
test: install lint typecheck
	$(BIN)/pytest -q -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/data_load.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
