# Two commands on a fresh machine: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench lint serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install  ## crawl the offline replica of both portals into data/xxgk.db
	$(BIN)/xxgk demo

test: install  ## the whole test suite, offline
	$(BIN)/python -m pytest -q

bench: install  ## throughput against peers measured in the same run
	$(BIN)/python -m tests.bench

lint: install
	$(BIN)/ruff check .

serve: install
	$(BIN)/xxgk serve

clean:
	rm -rf data/xxgk.db* data/warc data/jobs .pytest_cache
