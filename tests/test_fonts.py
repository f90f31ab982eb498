"""Fonts never move the text (#12, point 14): the build's font CSS and preload check."""
import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from sitebuild.config import BuildError  # noqa: E402
from sitebuild.vendor import check_font_preloads  # noqa: E402

LINK = '<link rel="preload" href="vendor/fonts/{}" as="font" type="font/woff2" crossorigin>'


def site_with(tmp_path, html, files=()):
    (tmp_path / "index.html").write_text(html, encoding="utf-8")
    for name in files:
        path = tmp_path / "vendor" / "fonts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"wOF2")
    return tmp_path


def test_the_page_preloads_fonts_that_exist(tmp_path):
    site = site_with(tmp_path, LINK.format("a.woff2"), ["a.woff2"])
    assert check_font_preloads(site) == ["vendor/fonts/a.woff2"]


def test_a_preload_of_a_missing_font_fails_the_build(tmp_path):
    site = site_with(tmp_path, LINK.format("gone.woff2"))
    with pytest.raises(BuildError, match="gone.woff2"):
        check_font_preloads(site)


def test_a_preload_without_crossorigin_fails_the_build(tmp_path):
    site = site_with(tmp_path, LINK.format("a.woff2").replace(" crossorigin", ""), ["a.woff2"])
    with pytest.raises(BuildError, match="crossorigin"):
        check_font_preloads(site)


def test_the_shipped_page_preloads_no_font_and_never_swaps_a_face():
    # Every face is optional: used if it is there for the first layout, else never
    # swapped in later (no shift). None is preloaded: a preload is fetched before the
    # first paint and, on a slow link, shares the link with the page itself, which put
    # Lighthouse's largest contentful paint at 3.9 s against 1.0-1.2 s without them.
    html = (ROOT / "site" / "index.html").read_text(encoding="utf-8")
    assert 'as="font"' not in html and "modulepreload" not in html
    dist = ROOT / "dist"
    if not (dist / "vendor" / "fonts" / "fonts.css").exists():
        pytest.fail("no dist/: run `make site` first (make test does)")
    assert check_font_preloads(dist) == []
    css = (dist / "vendor" / "fonts" / "fonts.css").read_text(encoding="utf-8")
    assert "font-display: swap" not in css
    assert css.count("font-display: optional") == css.count("@font-face") > 0
