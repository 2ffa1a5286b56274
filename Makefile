# The two commands that matter: `make run` (the whole local stack) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format venv clean node-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when a requirements file changes, so a second `make run` starts in seconds.
$(INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(INSTALLED)

# Browser libraries (package.json; served under /vendor/ without a bundler) and ESLint (its
# devDependencies): `npm ci` again only when package-lock.json changes.
NODE_DEPS := node_modules/.installed
$(NODE_DEPS): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found: the frontend's browser libraries (package.json) need Node.js and npm, e.g. apt-get install -y nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node-deps: $(NODE_DEPS)

run: $(INSTALLED) $(NODE_DEPS)
	$(BIN)/python -m devstack

test: $(INSTALLED) $(NODE_DEPS)
	$(BIN)/python -m pytest

lint: $(INSTALLED) $(NODE_DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	node_modules/.bin/eslint .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
