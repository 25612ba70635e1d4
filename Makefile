# Two commands for a fresh machine:  `make run` (app + demo data)  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint browser-deps clean

$(STAMP): setup.cfg pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/intake init
	$(BIN)/intake demo --if-empty
	$(BIN)/intake serve --dev --host 127.0.0.1 --port $${PORT:-5000}

test: $(STAMP) browser-deps
	$(BIN)/ruff check intake tests scripts
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check intake tests scripts
	$(BIN)/ruff format --check intake tests scripts

# Browser tests drive Debian's chromium (no browser download); fonts-nanum renders Hangul.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi nanum; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum; \
	  else \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) build dist *.egg-info
