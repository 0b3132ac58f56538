# The front door of the NEET report book. `make help` lists the targets.
#
# On Debian 12 or 13, or Ubuntu 22.04 or 24.04, with Python 3.11, 3.12 or 3.13:
#     make book    (set-up included)
#     make test    (the whole suite; CI runs it)
#     make check   (ruff and the fast tests, for the edit-test loop)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The Python versions the lock (requirements.txt) is tested on; newest first.
SUPPORTED_PYTHONS := 3.13 3.12 3.11
# Unless PYTHON=... is given: the newest supported pythonX.Y on the PATH that actually runs
# (a pyenv shim for a version that is not selected exists but does not run), else python3.
ifndef PYTHON
PYTHON := $(shell for v in $(SUPPORTED_PYTHONS); do \
  p=$$(command -v python$$v 2>/dev/null) && "$$p" -c '' >/dev/null 2>&1 && { echo "$$p"; exit 0; }; \
  done; command -v python3 || echo python3)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.neet-installed
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The goal named in the one-line refusal (`make test PYTHON=...`).
GOAL := $(or $(firstword $(MAKECMDGOALS)),book)
# Exit with one line unless $(PYTHON) runs and is one of SUPPORTED_PYTHONS (written so that
# Python 2 can run it too, to say that it is too old).
CHECK_PYTHON = \
  if ! "$(PYTHON)" -c '' >/dev/null 2>&1; then \
    echo "Cannot run $(PYTHON): install Python 3.11, 3.12 or 3.13, or point make at one: make $(GOAL) PYTHON=/path/to/python3.13" >&2; exit 1; \
  fi; \
  "$(PYTHON)" -c 'import sys; v = "%d.%d" % sys.version_info[:2]; sys.exit(0 if v in "$(SUPPORTED_PYTHONS)".split() else "Python %s ($(PYTHON)) is not supported: use Python 3.11, 3.12 or 3.13, e.g. make $(GOAL) PYTHON=/path/to/python3.13" % v)'

.PHONY: help venv python-version book test check lint browser-deps bench clean

help: ## List the targets
	@echo "Targets (make <target>):"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  %-14s %s\n", $$1, $$2}'
	@echo "Python: $(PYTHON) (set PYTHON=/path/to/python3.X to choose; 3.11, 3.12 and 3.13 work)"

python-version: ## Check that PYTHON is 3.11, 3.12 or 3.13 (make picks the newest on the PATH)
	@$(CHECK_PYTHON)

venv: $(STAMP) ## Create .venv (Python 3.11-3.13) with the pinned requirements; only re-installs when requirements.txt or pyproject.toml change

$(STAMP): requirements.txt pyproject.toml
	@$(CHECK_PYTHON)
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  echo "Installing python$$v-venv with apt-get"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y python$$v-venv; \
	fi
	@# A venv left half-made by an interrupted set-up (no python or no pip) is made again.
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	  echo "Creating $(VENV) with $(PYTHON)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $(STAMP)

book: venv browser-deps ## Build the book (executes what changed, renders _build/html/index.html, prints the county PDFs)
	$(BIN)/neet build

test: venv browser-deps ## Run the whole test suite (builds the book twice in temporary copies: shipped data, --data)
	$(BIN)/pytest

check: venv ## Quick loop: ruff, then the fast tests on every core (no notebooks, no book, no browser); under 60 s
	$(BIN)/ruff check .
	@# Bytecode is kept even where the environment says not to (PYTHONDONTWRITEBYTECODE): every
	@# worker would otherwise compile the tests and rewrite their asserts again on every run.
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -m "not slow and not browser" -n $(JOBS)

lint: venv ## ruff only (`.venv/bin/ruff check --fix .` repairs what it can)
	$(BIN)/ruff check .

browser-deps: ## Install Debian's chromium, chromium-driver (county PDFs, browser tests) and poppler-utils (PDF tests), if missing
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/pdftotext ]; then \
	  echo "Installing chromium, chromium-driver and poppler-utils with apt-get"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver poppler-utils; \
	fi

bench: venv ## Time a full build from clean, one county and an unchanged rebuild against the targets
	$(BIN)/python bench/build.py

clean: ## Remove the built book, the executed notebooks and the build state
	rm -rf _build book/generated .neet-cache
