# Assetline: `make demo` and `make test` set everything up on a fresh machine.
# Set-up is stamped, so running them again is fast.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.stamp-install
FRONTEND := assets_ui/frontend
NODE_STAMP := $(FRONTEND)/node_modules/.stamp-npm-ci
UI_STAMP := assets_ui/static/.stamp-build
UI_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/index.html $(FRONTEND)/graphiql.html $(FRONTEND)/vite.config.ts $(FRONTEND)/tsconfig*.json -type f 2>/dev/null)
# `make demo EXAMPLE=healthcare` serves the healthcare example instead of the shop.
EXAMPLE ?= shop
ifeq ($(EXAMPLE),shop)
DEMO_LOCATION :=
DEMO_OBSERVE := yes
DEMO_HOME := .assetline
DEMO_FROM ?= 2024-01-01
DEMO_TO ?= 2024-01-14
else ifeq ($(EXAMPLE),healthcare)
DEMO_LOCATION := -m examples.healthcare
DEMO_HOME := .assetline-healthcare
DEMO_FROM ?= 2024-01-01
DEMO_TO ?= 2024-06-01
else
$(error EXAMPLE=$(EXAMPLE) is not an example: use EXAMPLE=shop or EXAMPLE=healthcare)
endif
PORT ?= 3000
PYTEST_ARGS ?=

.PHONY: install demo test test-py test-ui lint format bench clean

install: $(PY_STAMP) $(UI_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

$(NODE_STAMP): $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(UI_STAMP): $(NODE_STAMP) $(UI_SOURCES)
	cd $(FRONTEND) && npm run build
	touch $@

demo: install
	ASSETLINE_HOME=$(DEMO_HOME) $(BIN)/assetline validate $(DEMO_LOCATION)
	$(if $(DEMO_OBSERVE),ASSETLINE_HOME=$(DEMO_HOME) $(BIN)/assetline observe $(DEMO_LOCATION))
	ASSETLINE_HOME=$(DEMO_HOME) $(BIN)/assetline materialize $(DEMO_LOCATION) --select '*' --from $(DEMO_FROM) --to $(DEMO_TO)
	ASSETLINE_HOME=$(DEMO_HOME) $(BIN)/assetline status $(DEMO_LOCATION)
	ASSETLINE_HOME=$(DEMO_HOME) $(BIN)/assetline ui $(DEMO_LOCATION) --host 127.0.0.1 --port $(PORT)

test: install
	cd $(FRONTEND) && npm test --silent
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(PY_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench.harness $(if $(BENCH),--only $(BENCH),)

clean:
	rm -rf $(VENV) $(FRONTEND)/node_modules assets_ui/static .assetline .assetline-healthcare .pytest_cache
