# Two commands on a fresh machine: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install system demo test bench eval eval-ocr golden lint serve replay replay-env doctor clean

# Debian packages, listed once in crawler/system-packages.toml with what each one is for (headless
# Chromium, CJK fonts, Redis, LibreOffice writer + calc); `xxgk doctor` checks the same list.
# (sed, not Python: `make system` may run before any Python ≥ 3.11 is there)
SYSTEM_PACKAGES := $(shell sed -n 's/^name = "\(.*\)"$$/\1/p' crawler/system-packages.toml)
ifeq ($(strip $(SYSTEM_PACKAGES)),)
$(error no package names read from crawler/system-packages.toml)
endif
# pywb pins redis==2.10.6 (scrapy-redis needs a current one), so it gets a virtualenv of its own
PYWB_VENV := .venv-pywb

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

system:  ## install missing Debian packages (as root); otherwise the tests that need them skip
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "not root: missing Debian packages $$missing (tests that need them will skip)"; fi

demo: install system  ## crawl the offline replica of both portals into data/xxgk.db
	$(BIN)/python -m crawler.doctor --require-demo
	$(BIN)/xxgk demo

replay-env:  ## pywb in its own virtualenv, for `xxgk replay` and the replay tests
	test -x $(PYWB_VENV)/bin/wayback || { $(PYTHON) -m venv $(PYWB_VENV) && \
	  $(PYWB_VENV)/bin/python -m pip install --quiet 'pywb>=2.8'; }

replay: install replay-env  ## serve data/warc as archived pages (pywb) on 127.0.0.1:8080
	$(BIN)/xxgk replay

doctor: install  ## what this machine has, lacks, and what each missing piece disables
	$(BIN)/xxgk doctor

test: install system replay-env  ## the whole test suite, offline
	$(BIN)/python -m pytest -q

# `make bench scale recrawl`: the words after `bench` are its sections (tests/bench.py SECTIONS), not
# targets of their own; `make bench` alone runs every section; QUICK=1: `bench scale --quick`
ifeq (bench,$(firstword $(MAKECMDGOALS)))
BENCH_SECTIONS := $(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))
$(eval $(BENCH_SECTIONS):;@:)
endif

bench: install  ## throughput against peers measured in the same run (`make bench scale`: one section)
	$(BIN)/python -m tests.bench $(BENCH_SECTIONS) $(if $(QUICK),--quick)

eval: install  ## extraction vs the hand-read truth of tests/realworld: per-field hits and every miss; then OCR of table pictures
	$(BIN)/python -m tests.realworld.evaluate
	$(BIN)/python -m tests.eval_ocr

eval-ocr: install  ## OCR of table pictures (screenshots, scans, photos at 1× and 2×): cells read exactly, every miss
	$(BIN)/python -m tests.eval_ocr

golden: install  ## rewrite the derived golden files (document answers, real-world baseline), printing every change
	$(BIN)/python -m tests.golden

lint: install
	$(BIN)/ruff check .
	$(BIN)/python -m mypy

serve: install
	$(BIN)/xxgk serve

clean:
	rm -rf data/xxgk.db* data/warc data/jobs data/replay data/export .pytest_cache
