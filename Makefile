# Two commands on a fresh machine: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install system demo test bench eval eval-ocr lint serve clean

# Debian packages: headless Chromium and a CJK font for the browser tests' screenshots (the font also
# draws the table images the OCR tests read); a Redis server the distributed tests start on a loopback
# port of their own; LibreOffice (writer + calc, no GUI), which reads legacy .doc/.wps attachments and
# builds the .doc/.wps/.xls/.et test fixtures.
SYSTEM_PACKAGES := chromium fonts-noto-cjk redis-server libreoffice-writer-nogui libreoffice-calc-nogui

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

demo: install  ## crawl the offline replica of both portals into data/xxgk.db
	$(BIN)/xxgk demo

test: install system  ## the whole test suite, offline
	$(BIN)/python -m pytest -q

bench: install  ## throughput against peers measured in the same run
	$(BIN)/python -m tests.bench

eval: install  ## extraction vs the hand-read truth of tests/realworld: per-field hits and every miss; then OCR of table pictures
	$(BIN)/python -m tests.realworld.evaluate
	$(BIN)/python -m tests.eval_ocr

eval-ocr: install  ## OCR of table pictures (screenshots, scans, photos at 1× and 2×): cells read exactly, every miss
	$(BIN)/python -m tests.eval_ocr

lint: install
	$(BIN)/ruff check .

serve: install
	$(BIN)/xxgk serve

clean:
	rm -rf data/xxgk.db* data/warc data/jobs .pytest_cache
