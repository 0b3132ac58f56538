# The front door of the NEET report book. `make help` lists the targets.
#
# On a fresh Debian machine with Python 3.11:  make book   (set-up included)
#                                               make test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.neet-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help venv book test browser-deps bench clean

help: ## List the targets
	@echo "Targets (make <target>):"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  %-14s %s\n", $$1, $$2}'

venv: $(STAMP) ## Create .venv (Python 3.11) with the pinned requirements; only re-installs when requirements.txt or pyproject.toml change

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required, found " + sys.version.split()[0] + " ($(PYTHON)); set PYTHON=/path/to/python3.11")'
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  echo "Installing python3-venv with apt-get"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv; \
	fi
	@if [ ! -x $(BIN)/python ]; then $(PYTHON) -m venv $(VENV); fi
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $(STAMP)

book: venv ## Build the book (executes what changed, then renders _build/html/index.html)
	$(BIN)/neet build

test: venv browser-deps ## Run the whole test suite (builds the book once in a temporary copy)
	$(BIN)/pytest

browser-deps: ## Install Debian's chromium and chromium-driver for the browser tests, if missing
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  echo "Installing chromium and chromium-driver with apt-get"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver; \
	fi

bench: venv ## Time a full build from clean, one county and an unchanged rebuild against the targets
	$(BIN)/python bench/build.py

clean: ## Remove the built book, the executed notebooks and the build state
	rm -rf _build book/generated .neet-cache
