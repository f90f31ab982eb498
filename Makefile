# Tiny Text Diffusion: build, serve and check the static site.
#
#   make serve    build the site into dist/ if needed, then serve it at http://$(HOST):$(PORT)$(PREFIX)
#   make test     build, then run every test (core, build, and the built site in headless Chromium)
#   make bench    build, then print the performance table (CPython and browser) and write bench/results.json
#   make lint     ruff on the Python code, ESLint on the JavaScript (site/js, scripts/*.js)
#   make site     only build dist/
#   make clean    remove build output (dist/, build/, *.egg-info); caches are kept
#   make distclean  also remove .venv/, node_modules/ and .cache/ (the next build needs the network)
#
# The tools live in a virtual environment, .venv/, made on first use.

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PREFIX ?= /
PY := $(VENV)/bin/python

.PHONY: help site serve test bench lint clean distclean

help:
	@sed -n '2,11p' Makefile | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------------------
# Tools: a venv with what the build needs; the tests' extras on top
# ---------------------------------------------------------------------------

$(VENV)/.build-tools: scripts/requirements-build.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python >= 3.11 is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r scripts/requirements-build.txt "numpy>=2.0"
	touch $@

$(VENV)/.dev-tools: $(VENV)/.build-tools pyproject.toml
	$(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"
	touch $@

# ---------------------------------------------------------------------------
# Site build and local server (scripts/)
# ---------------------------------------------------------------------------

site: $(VENV)/.build-tools
	$(PY) scripts/build_site.py

serve: site
	$(PY) scripts/serve.py --root dist --host $(HOST) --port $(PORT) --prefix $(PREFIX)

# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

test: site $(VENV)/.dev-tools
	$(PY) scripts/ensure_chromium.py
	$(PY) -m pytest

bench: site $(VENV)/.dev-tools
	$(PY) scripts/ensure_chromium.py
	$(PY) scripts/bench.py

lint: $(VENV)/.dev-tools node_modules/.bin/eslint
	$(PY) -m ruff check diffusion_core tests scripts
	node_modules/.bin/eslint site/js scripts/*.js
	$(PY) -m mypy

node_modules/.bin/eslint: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

clean:
	rm -rf dist dist.tmp build *.egg-info
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -not -path './node_modules/*' -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules .cache
