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
# The root unifica.toml is the sample's own, with paths from the repository root.
sample: $(STAMP)
	$(BIN)/unifica generate --customers 4000 --seed 20261123 --out data/sample
	{ echo '# The bundled sample (data/sample/), mapped from the repository root: `make run` uses this file.'; \
	  echo '# Re-create both with `make sample`.'; \
	  sed -E '/^(files|accounts|tickets|attachments|relations) = /s#"([^"]+)"#"data/sample/\1"#g' data/sample/unifica.toml; \
	} > unifica.toml

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) unifica.duckdb unifica.duckdb.wal .pytest_cache
