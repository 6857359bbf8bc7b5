# Every target creates and uses .venv itself; nothing is installed outside it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test demo bench drills lint simulator clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

## make test: the whole fast suite (under five minutes on two cores).
test: $(STAMP)
	$(PY) -m pytest -q

## make demo: the bot on its embedded default (simulator + terminal console).
demo: $(STAMP)
	$(PY) bot.py demo

## make simulator: the orchestrator simulator alone on port 8143.
simulator: $(STAMP)
	$(PY) -m standins.orchestrator --port 8143

## make bench: benchmarks in bench/, printing their figures.
bench: $(STAMP)
	$(PY) -m bench

## make drills: failure drills (kill -9, outages, 429 storms, hostile input).
drills: $(STAMP)
	$(PY) -m pytest -q -s -m drill tests/drills

## make lint: ruff (lint and format), mypy (types), import-linter (layers; pyproject.toml).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache --no-logo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
