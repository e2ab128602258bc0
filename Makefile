# Every development task in one place. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LINTED := src tests $(wildcard bench)

.DEFAULT_GOAL := help
.PHONY: help install demo serve worker test lint typecheck test-sqlite test-postgresql \
        messages bench docs vendor clean

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install vecinos with its development tools

demo: install ## Migrate, seed the demo coalition, print the logins, serve on 127.0.0.1:8000
	$(BIN)/vecinos demo

serve: install ## Serve with your own settings (VECINOS_SECRET_KEY required)
	$(BIN)/vecinos db upgrade && $(BIN)/vecinos serve

test: install lint typecheck ## Lint, type-check, run the suite on SQLite and PostgreSQL side by side
	@# Side by side on two cores (each suite's output printed whole when it ends): together they
	@# took over an hour one after the other.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgresql

lint: install ## ruff: lint and formatting
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: install ## mypy --strict
	$(BIN)/mypy

test-sqlite: install ## The suite on the embedded SQLite database
	@echo "== test suite on SQLite =="
	@mkdir -p var
	env -u VECINOS_TEST_DATABASE_URL $(BIN)/pytest --basetemp=var/pytest-sqlite --durations=40

test-postgresql: install ## The suite on PostgreSQL at $$VECINOS_TEST_DATABASE_URL
	@if [ -n "$$VECINOS_TEST_DATABASE_URL" ]; then \
		echo "== test suite on PostgreSQL =="; \
		mkdir -p var; \
		$(BIN)/pytest --basetemp=var/pytest-postgresql --durations=40; \
	else \
		echo "== PostgreSQL: SKIPPED — VECINOS_TEST_DATABASE_URL is not set (.ci/run sets it) =="; \
	fi

messages: install ## Extract marked strings to var/messages.pot to update the .po catalogs
	@mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location -o var/messages.pot src

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

docs: install ## Regenerate docs/cli-reference.md from the commands
	$(BIN)/python -m vecinos.cli.reference > docs/cli-reference.md

vendor: ## Refresh the vendored front-end libraries from the npm registry
	rm -rf var/vendor && mkdir -p var/vendor && cd var/vendor && npm pack --silent leaflet@1.9.4 && tar xzf leaflet-1.9.4.tgz
	cp var/vendor/package/dist/leaflet.js var/vendor/package/dist/leaflet.css src/vecinos/web/static/vendor/leaflet/
	cp var/vendor/package/dist/images/*.png src/vecinos/web/static/vendor/leaflet/images/
	cp var/vendor/package/LICENSE src/vecinos/web/static/vendor/leaflet/LICENSE
	rm -rf var/vendor/package && cd var/vendor && npm pack --silent protomaps-leaflet@5.1.0 && tar xzf protomaps-leaflet-5.1.0.tgz
	mkdir -p src/vecinos/web/static/vendor/protomaps-leaflet
	cp var/vendor/package/dist/protomaps-leaflet.js var/vendor/package/LICENSE src/vecinos/web/static/vendor/protomaps-leaflet/
