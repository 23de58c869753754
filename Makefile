# The front door for the dev loop. `make run` and `make test` work on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint fmt bench clean kb-check

install: $(STAMP)

# Re-install only when the project's dependencies change; otherwise this is instant.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/anmian kb check
	$(BIN)/anmian assess examples/demo.json --format text --allow-unknown

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

fmt: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

test: lint
	$(BIN)/python -m pytest -q

kb-check: install
	$(BIN)/anmian kb check

bench: install
	$(BIN)/python bench/assess.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
