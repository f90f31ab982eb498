"""Helpers for scripts/build_site.py, which writes the static site to dist/."""
