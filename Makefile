# Unifica: `make run` and `make test` each create .venv if missing and install the project first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test sample bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The whole consolidation on the bundled sample (unifica.toml -> data/sample/) into ./unifica.duckdb.
run: $(STAMP)
	$(BIN)/unifica run --config unifica.toml

test: $(STAMP)
	$(BIN)/python -m pytest

# Re-create the bundled sample data (deterministic: same seed, same files).
sample: $(STAMP)
	$(BIN)/unifica generate --customers 4000 --seed 20261123 --out data/sample

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) unifica.duckdb unifica.duckdb.wal .pytest_cache
