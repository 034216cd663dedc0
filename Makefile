# Two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export AFTERSALES_DATABASE_URL ?= $(if $(DATABASE_URL),$(DATABASE_URL),sqlite:///$(CURDIR)/instance/aftersales.db)

.PHONY: setup setup-test run test test-unit test-sqlite test-postgres test-e2e lint bench messages clean soak

# What the service needs to run (`make run`); the test tools come on top of it (`make test`).
RUNTIME := $(VENV)/.runtime-installed
TEST_TOOLS := $(VENV)/.test-tools-installed

$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# pytest, ruff, Playwright, schemathesis, the Redis client for the shared-throttle test and the optional AGPL
# pm4py cross-check (never needed to run the service).
$(TEST_TOOLS): $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[dev,mining,redis]'
	touch $@

# The workspace's front-end packages (package-lock.json), served from node_modules' dist files.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The workbench's lint bundle (bpmn-js-bpmnlint with the rules of .bpmnlintrc), esbuild's one output (not committed).
app/static/build/lint.js: node_modules/.installed .bpmnlintrc esbuild.config.mjs app/static/js/src/lint-entry.js
	npm run build

# Interface translations: the .po files are the source, the .mo files are compiled here (not committed).
PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

%.mo: %.po | $(RUNTIME)
	$(BIN)/pybabel compile -i $< -o $@

# Debian's Chromium for the end-to-end tests (tests/e2e); Playwright drives it, no browser download.
# The CJK font makes the Chinese interface legible in the tests' screenshots.
/usr/bin/chromium:
	apt-get update
	apt-get install -y chromium chromium-driver fonts-noto-cjk

setup: $(RUNTIME) node_modules/.installed app/static/build/lint.js $(MO_FILES)

setup-test: setup $(TEST_TOOLS)

# Extract the interface's strings and merge them into every catalogue (then translate, then `make setup`).
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output --project aftersales \
		-o app/translations/messages.pot app
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --width 120 --ignore-obsolete

# The session key of this machine: made once (owner-only), then reused, so sessions survive a restart.
instance/secret_key:
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@.new && mv $@.new $@

run: setup instance/secret_key
	$(BIN)/aftersales init-db
	$(BIN)/aftersales deploy --strict
	$(BIN)/aftersales demo
	AFTERSALES_SECRET_KEY_FILE=$${AFTERSALES_SECRET_KEY_FILE:-$(CURDIR)/instance/secret_key} \
	AFTERSALES_SERVICE_HOTLINE="$${AFTERSALES_SERVICE_HOTLINE:-400-800-8000 (demo)}" $(BIN)/aftersales serve --port $(PORT)

lint: setup-test
	$(BIN)/ruff check app tests benchmarks
	$(BIN)/ruff format --check app tests benchmarks

# The whole suite twice: on SQLite (embedded default) and on PostgreSQL (scale-out target).
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The shared log-in throttle of several workers is tested against the machine's Redis.
export AFTERSALES_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

# The two runs go side by side (one per core; they share no database, port or file) and each
# keeps its log; both logs are shown, and either failing fails `make test`. The browser tests
# (tests/e2e, marker e2e) run once, on SQLite: no e2e test depends on the database, the pages over
# PostgreSQL are covered by tests/api, and running them twice put the suite past its 15 minutes.
TEST_LOGS := .test-logs
test: setup-test /usr/bin/chromium lint
	@mkdir -p $(TEST_LOGS); tmp=$$(mktemp -d); \
	AFTERSALES_TEST_DATABASE_URL=sqlite $(BIN)/pytest -q -p no:cacheprovider --durations=15 --basetemp=$$tmp/sqlite \
		> $(TEST_LOGS)/sqlite.log 2>&1 & sqlite=$$!; \
	AFTERSALES_TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -q -p no:cacheprovider --durations=15 -m "not e2e" \
		--basetemp=$$tmp/postgres \
		> $(TEST_LOGS)/postgres.log 2>&1 & postgres=$$!; \
	wait $$sqlite; sqlite_rc=$$?; wait $$postgres; postgres_rc=$$?; \
	echo "== SQLite (exit $$sqlite_rc)"; cat $(TEST_LOGS)/sqlite.log; \
	echo "== PostgreSQL (exit $$postgres_rc)"; cat $(TEST_LOGS)/postgres.log; \
	test $$sqlite_rc -eq 0 && test $$postgres_rc -eq 0

# The unit level alone (README, Testing): domain and engine logic, no database, no Flask; seconds.
test-unit: $(TEST_TOOLS)
	$(BIN)/pytest -q -p no:cacheprovider tests/unit

test-sqlite: setup-test
	AFTERSALES_TEST_DATABASE_URL=sqlite $(BIN)/pytest -q

test-postgres: setup-test
	AFTERSALES_TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -q

test-e2e: setup-test /usr/bin/chromium
	$(BIN)/pytest -q tests/e2e

# Long reliability runs on PostgreSQL, not part of `make test`: two schedulers over 10 000 timers.
soak: setup-test
	AFTERSALES_SOAK=1 AFTERSALES_TEST_DATABASE_URL=$(TEST_PG_URL) $(BIN)/pytest -q -m soak

bench: setup-test
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.http --db postgres
	$(BIN)/python -m benchmarks.scale --db postgres
	$(BIN)/python -m benchmarks.timers --db postgres
	$(BIN)/python -m benchmarks.master_import

clean:
	rm -rf $(VENV) instance *.egg-info node_modules app/static/build $(MO_FILES)
