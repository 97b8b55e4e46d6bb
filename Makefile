# Jiancha Monitor — every entry point a person or CI needs. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICES := deploy/local/services

.PHONY: help install assets system run demo test test-unit test-faults lint services services-stop services-status bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) assets  ## create .venv and install the project with its test tools

assets:  ## fetch the web app's chart and API-docs libraries with npm into webapp/static/vendor (no CDN)
	deploy/fetch-web-assets

system:  ## install the Debian packages the tests use (docker-compose validator, chromium, a CJK font)
	deploy/install-system-packages

run: install  ## crawl the configured sites, process, index and serve http://127.0.0.1:8000 (embedded)
	$(BIN)/jiancha up

demo: install  ## the same against the bundled demo news sites (no internet needed)
	$(BIN)/jiancha up --demo

lint: install  ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pipeline crawler processors indexer webapp bench evaluation alerts

services:  ## start the local Kafka and Elasticsearch (fetched from Maven on first use)
	$(SERVICES) start

services-stop:  ## stop them
	$(SERVICES) stop

services-status:  ## are they running?
	$(SERVICES) status

test-unit: install  ## only the tests that need no Kafka/Elasticsearch
	$(BIN)/pytest -m "not integration"

# Starts the services if they are not running, and stops afterwards only what it started.
test: install system lint  ## install everything, start Kafka + Elasticsearch, run every test, stop them
	@was_running=0; $(SERVICES) status >/dev/null 2>&1 && was_running=1; \
	$(SERVICES) start || { [ $$was_running = 1 ] || $(SERVICES) stop; exit 1; }; \
	start=$$(date +%s); \
	$(BIN)/pytest -m "not faults"; rc=$$?; \
	echo "make test: pytest finished with exit code $$rc in $$(( $$(date +%s) - start ))s"; \
	[ $$was_running = 1 ] || $(SERVICES) stop; \
	exit $$rc

# The fault tests start and kill their own Kafka and Elasticsearch (ports 31000-31999), so they
# need no running services; they take long (README, Fault tests), hence a target of their own.
test-faults: install  ## kill workers, stop Kafka/ES, a cluster losing members, under load (JIANCHA_FAULT_ARTICLES=2000)
	@start=$$(date +%s); \
	JIANCHA_FAULT_ARTICLES=$${JIANCHA_FAULT_ARTICLES:-2000} $(BIN)/pytest -m faults tests/faults -s -q; rc=$$?; \
	echo "make test-faults: pytest finished with exit code $$rc in $$(( $$(date +%s) - start ))s"; \
	exit $$rc

bench: install  ## benchmarks (long; not make test) → one table + bench/results.json; BENCH="crawl latency" picks some
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(SERVICES) start
	$(BIN)/python -m bench $(BENCH)

clean:  ## remove the venv, local services' data and the embedded data folder
	rm -rf $(VENV) .services .jiancha .pytest_cache .mypy_cache .ruff_cache
