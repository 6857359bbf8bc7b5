# Every target creates and uses .venv itself; nothing is installed outside it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test test-e2e demo bench drills lint simulator clean

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

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
