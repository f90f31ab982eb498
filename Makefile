# Tiny Text Diffusion — build, serve and check the static site.
#
#   make site     build the deployable site into dist/ (needs Python 3.11+, Node 20+,
#                 pip install -r scripts/requirements-build.txt)
#   make serve    build if needed, then serve dist/ at http://$(HOST):$(PORT)$(PREFIX)
#   make clean    remove build output (dist/, build/, *.egg-info); caches are kept
#   make distclean  also remove node_modules/ and .cache/ (next build needs the network)

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
PREFIX ?= /

.PHONY: help site serve clean distclean

help:
	@sed -n '2,8p' Makefile | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------------------
# Site build and local server (scripts/)
# ---------------------------------------------------------------------------

site:
	$(PYTHON) scripts/build_site.py

serve: site
	$(PYTHON) scripts/serve.py --root dist --host $(HOST) --port $(PORT) --prefix $(PREFIX)

clean:
	rm -rf dist dist.tmp build *.egg-info
	find scripts -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf node_modules .cache

# ---------------------------------------------------------------------------
# Python package: test, bench, lint targets go here.
# ---------------------------------------------------------------------------
