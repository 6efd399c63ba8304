# The front door. `make` sets up .venv from the lock file and builds data/processed/ and the
# figures; `make test` does the same set-up and runs the whole test suite; `make test-fast` the
# quick tier (see tests/conftest.py).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all build test test-fast lint format validate status codebook lock clean help lab strip hooks
all: build  ## (the default) set up .venv from the lock, then build
# JupyterLab refuses to run as root unless told to (CI and containers run as root)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# pip installs uv (hash-checked, requirements-bootstrap.lock), uv installs requirements.lock
# (hash-checked) with pip's index settings: see tools/setup_venv.py.
$(STAMP): requirements.lock requirements-bootstrap.lock pyproject.toml tools/setup_venv.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "censorstats needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) tools/setup_venv.py $(VENV)
	@touch $(STAMP)

build: $(STAMP)  ## build data/processed/ and reports/figures/ (only what is stale)
	$(BIN)/censorstats build

test: lint  ## lint and type checks, then the whole test suite (what CI runs), on one worker per core
	$(BIN)/python -m pytest -n auto --dist worksteal

test-fast: $(STAMP)  ## the inner loop: the tests not marked integration or slow
	$(BIN)/python -m pytest -n auto --dist worksteal -m "not integration and not slow"

lint: $(STAMP)  ## ruff (lint and format check) and mypy over src/ and tools/ (settings in pyproject.toml)
	$(BIN)/ruff check src tools
	$(BIN)/ruff format --check src tools
	$(BIN)/mypy

format: $(STAMP)  ## apply ruff's formatting to src/ and tools/
	$(BIN)/ruff format src tools

validate: $(STAMP)  ## check data/raw/ and list every problem
	$(BIN)/censorstats validate

status: $(STAMP)  ## what is stale, and why
	$(BIN)/censorstats status --why

codebook: $(STAMP)  ## regenerate docs/codebook.md from the schemas
	$(BIN)/censorstats codebook

lab: build  ## open the notebooks in JupyterLab (prints the address to open; Ctrl-C stops it)
	@echo "Starting JupyterLab on notebooks/: open the http://127.0.0.1:8888/lab?token=... address it prints below."
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ALLOW_ROOT)

.PHONY: report
report: build  ## run the notebooks and write the HTML report: open reports/html/index.html in a browser
	$(BIN)/censorstats build report
	@echo "The report: $(CURDIR)/reports/html/index.html"

strip: $(STAMP)  ## remove outputs from the notebooks before committing them
	$(BIN)/nbstripout notebooks/*.ipynb

hooks: $(STAMP)  ## have git strip notebook outputs on every commit of this clone (nbstripout filter)
	$(BIN)/nbstripout --install

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 18

lock: $(STAMP)  ## re-pin requirements.lock and requirements-bootstrap.lock with the venv's uv (keeps pins that still fit; UPGRADE=1: newest)
	$(PYTHON) tools/setup_venv.py --lock $(VENV) $(if $(UPGRADE),--upgrade)

# What the build writes: its output folders (paths.OUTPUT_FOLDERS, the folders of pipeline.STEPS'
# outputs), emptied but for the .gitkeep git tracks and removed when that leaves them empty, and its
# record, data/.build/. A link out of the project is not followed. data/raw/ and notebooks/ are never touched.
BUILT := data/processed reports/figures reports/html
clean:  ## remove everything the build wrote (not data/raw/, notebooks/ or the environment)
	for d in $(BUILT); do \
	  [ -d $$d ] && [ ! -L $$d ] || continue; \
	  find $$d -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +; \
	  rmdir $$d 2>/dev/null || true; \
	done
	rm -rf data/.build
