# Two commands matter: `make run` (local stack + API with demo data) and `make test`.
SHELL := /bin/bash
# Python 3.13, what Lambda runs (python3.13): on PATH (a pyenv shim only if it resolves), else the
# newest 3.13 under pyenv's versions.
PYTHON ?= $(or $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null),$(lastword $(sort $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.13*/bin/python3.13))))
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)
export XDG_RUNTIME_DIR ?= /tmp/blog-runtime
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test lint migrate package lint-template bench clean deploy-local deploy-smoke types

$(STAMP): requirements.txt requirements-dev.txt infra/models.py
	$(if $(PYTHON),,$(error Python 3.13 not found: install it (python3.13 on PATH, or `pyenv install 3.13`) or run make PYTHON=/path/to/python3.13))
	@mkdir -p $(XDG_RUNTIME_DIR) && chmod 700 $(XDG_RUNTIME_DIR)
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m layers.adapters.sandbox  # compile the code sandbox's interpreter for this CPU, once
	$(PY) -m infra.models  # the embedding model's tokenizer file (checked against its sha256)
	$(PY) -m infra.docs_ui  # Swagger UI's files for /api/docs (npm pack, checked against its integrity)
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install  ## start the local stack, load demo data, serve the API on 127.0.0.1:$${PORT:-8000}
	$(PY) -m infra.local.run

lint: install  ## ruff, mypy (strict on layers/ and functions/) and the import layering contract
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint  ## lint, then the whole test suite against real PostgreSQL, Redis and moto
	$(PY) -m pytest $(PYTEST_ARGS)

migrate: install  ## apply pending migrations to $$DATABASE_URL
	$(PY) -m infra.migrate

package: install  ## build the SAM template, the code zip and the dependency layers into build/; print sizes and cold imports
	$(PY) -m infra.build.package

deploy-local: install  ## deploy the package into the ministack AWS emulator, print the invoke URL (held until Ctrl-C on a terminal)
	$(PY) -m infra.deploy.local

deploy-smoke: install  ## deploy into the emulator and smoke-test the stack through its API Gateway (part of `make test`)
	$(PY) -m pytest -q tests/test_deploy_smoke.py

types: install  ## regenerate clients/typescript/src/schema.d.ts from the OpenAPI document (checked by `make test`)
	$(PY) -m infra.build.typescript

bench: install  ## benchmarks (print figures; not part of the test suite)
	$(PY) -m benchmarks

clean:  ## remove what builds and tests leave (not .venv, nor make run's data in .local/run)
	rm -rf build vendor .local/test .local/test-* .local/ministack-venv .local/deploy \
	    clients/typescript/node_modules clients/typescript/dist .pytest_cache
