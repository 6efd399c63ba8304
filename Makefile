# The front door. `make` sets up .venv from the lock file and builds data/processed/ and the
# figures; `make test` does the same set-up and runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all build test validate status codebook lock clean help lab strip hooks
all: build  ## (the default) set up .venv from the lock, then build
# JupyterLab refuses to run as root unless told to (CI and containers run as root)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "censorstats needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

build: $(STAMP)  ## build data/processed/ and reports/figures/ (only what is stale)
	$(BIN)/censorstats build

test: $(STAMP)  ## run the whole test suite
	$(BIN)/python -m pytest

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
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  make \1\t/' | expand -t 18

lock:  ## re-pin every dependency (needs pip-tools in the current Python)
	pip-compile --quiet --extra dev --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

clean:  ## remove built outputs (not the environment)
	rm -rf data/processed/*.parquet data/processed/*.csv reports/figures/*.svg reports/figures/*.png data/.build
