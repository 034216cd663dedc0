# Two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export AFTERSALES_DATABASE_URL ?= $(if $(DATABASE_URL),$(DATABASE_URL),sqlite:///$(CURDIR)/instance/aftersales.db)

.PHONY: setup run test test-sqlite test-postgres lint bench clean

$(BIN)/aftersales: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/aftersales

run: setup
	mkdir -p instance
	$(BIN)/aftersales init-db
	$(BIN)/aftersales deploy
	$(BIN)/aftersales demo
	$(BIN)/aftersales serve --port $(PORT)

lint: setup
	$(BIN)/ruff check app tests benchmarks
	$(BIN)/ruff format --check app tests benchmarks

# The whole suite twice: on SQLite (embedded default) and on PostgreSQL (scale-out target).
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

test: setup lint
	AFTERSALES_TEST_DATABASE_URL=sqlite $(BIN)/pytest -q
	AFTERSALES_TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -q

bench: setup
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) instance *.egg-info
