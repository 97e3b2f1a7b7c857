# Two commands set everything up: `make run` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# samples/ holds reports with errors on purpose: exit 1 (errors) and 3 (not checked) are findings, not failures
run: $(STAMP)
	$(BIN)/ogi check samples/ ; status=$$?; [ $$status -le 1 ] || [ $$status -eq 3 ] || exit $$status

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench

lint: $(STAMP)
	$(BIN)/ruff format --check validator tests benchmarks
	$(BIN)/ruff check validator tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
