# The front door for the dev loop. `make run` and `make test` work on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PORT ?= 8000

PG_URL ?= postgres://postgres@127.0.0.1:5432/test
MANAGE := $(BIN)/python manage.py
# `make run` is local: DEBUG off (production-like), but no TLS on loopback, and emails
# (reset and sign-up links) printed to this terminal.
RUN_ENV := SECRET_KEY=$${SECRET_KEY:-local-run-$$(whoami)-not-for-production-0123456789} SECURE_TLS=false ANMIAN_ALLOW_CONSOLE_EMAIL=true

.PHONY: install system-deps messages browser run worker test test-pg lint typecheck fmt bench clean kb-check lock openapi

install: $(STAMP) system-deps messages

# Pango and HarfBuzz-Subset for WeasyPrint (the PDF reports), Noto CJK so Chinese names print,
# poppler-utils (pdftoppm) for the test that looks at the rendered pages, gettext (msgfmt) for the
# translations; installed once.
system-deps:
	@dpkg -s libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils gettext >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils gettext >/dev/null)

# The web's translations compiled (what compilemessages runs: msgfmt --check), only our own
# locale folder, so Django's inside .venv is left alone; run, test and lint all pass through install.
MO := $(patsubst %.po,%.mo,$(wildcard src/anmian/web/locale/*/LC_MESSAGES/django.po))
messages: $(MO)
%.mo: %.po | system-deps
	msgfmt --check -o $@ $<

# Every package, the build backend included, comes pinned with its hashes from the lock, so a
# new release somewhere cannot change what the tests run on (pytest turns warnings into errors).
# Re-install only when pyproject.toml or the lock change; otherwise this is instant.
LOCK := requirements/lock.txt
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

$(STAMP): pyproject.toml $(LOCK)
	@$(PY) requirements/lock.py check
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(PIP) install --require-hashes --no-deps -r $(LOCK)
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve after a change to the requirements in pyproject.toml (keeps the pins it can;
# `make lock UPGRADE=1` moves everything to the newest versions allowed).
lock:
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	test -x $(BIN)/uv || $(PIP) install "uv==$$(sed -n 's/^uv==\([^ ]*\).*/\1/p' $(LOCK))"
	$(PY) requirements/lock.py build-requires | $(BIN)/uv pip compile --quiet pyproject.toml - \
		--all-extras --universal --python-version 3.11 --generate-hashes \
		$(if $(UPGRADE),--upgrade) --custom-compile-command "make lock" -o $(LOCK)
	$(PY) requirements/lock.py stamp

run: install
	$(BIN)/anmian kb check
	$(BIN)/anmian assess examples/demo.json --format text --allow-unknown
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) collectstatic --noinput --verbosity 0
	$(RUN_ENV) PORT=$(PORT) $(MANAGE) load_demo_clinic
	@echo "Serving Anmian at http://127.0.0.1:$(PORT)/ (Ctrl-C stops) with its worker (emails, reminders)"
	$(RUN_ENV) PORT=$(PORT) scripts/serve.sh

# The background worker alone (emails with retries; its scheduler sends reminders every
# minute): one per host next to the web server, as many as wanted on a shared Redis queue.
worker: install
	$(RUN_ENV) $(MANAGE) run_huey

lint: install typecheck
	$(BIN)/python scripts/zh_hans.py --check
	$(BIN)/ruff check src tests bench manage.py requirements
	$(BIN)/ruff format --check src tests bench requirements

# Strict on the engine and the knowledge base; the web with django-stubs (settings in
# pyproject.toml, [tool.mypy], whose web-only sections the first run does not use).
typecheck: install
	$(BIN)/mypy --strict --no-warn-unused-configs -p anmian.engine -p anmian.knowledge
	$(BIN)/mypy -p anmian.web

fmt: install
	$(BIN)/ruff format src tests bench requirements
	$(BIN)/ruff check --fix src tests bench requirements

# Debian's Chromium for the browser tests (Playwright cannot download its own here).
AXE := $(VENV)/npm/node_modules/axe-core/axe.min.js

browser: $(AXE)
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# axe-core for the accessibility checks, from the npm registry, kept inside .venv/.
$(AXE): | install
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/npm axe-core@4

# The whole suite on SQLite, then the database-backed web tests again on PostgreSQL.
test: lint browser
	$(BIN)/python -m pytest -q
	@echo "Mutation check (each safety rule weakened in turn; tests/clinical/mutations.py):"
	$(BIN)/python -m tests.clinical.mutations
	$(MAKE) --no-print-directory test-pg

test-pg: install
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q -m "not multihost" src/anmian/web

kb-check: install
	$(BIN)/anmian kb check

# The committed copy of the API's OpenAPI document; test_openapi.py fails until it is rewritten.
openapi: install
	$(BIN)/python scripts/openapi.py

bench: install
	$(BIN)/python bench/assess.py
	$(BIN)/python bench/cli_start.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/servers.py
	$(BIN)/python bench/diary.py
	$(BIN)/python bench/booking.py
	$(BIN)/python bench/jobs.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
