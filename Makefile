# Two commands set everything up: `make run` and `make test`. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint clean wheel serve

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

# the wheel staff install (rules/ and the page's templates inside); tests/test_wheel.py installs it in a fresh venv
wheel: $(STAMP)
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation -w dist .
	rm -rf build

# the local page for agency staff: http://127.0.0.1:8000
serve: $(STAMP)
	$(BIN)/ogi serve

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench

lint: $(STAMP)
	$(BIN)/ruff format --check validator tests benchmarks
	$(BIN)/ruff check validator tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info
