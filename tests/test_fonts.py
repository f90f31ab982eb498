"""Fonts never move the text (#12, point 14): the build's font CSS and preload check."""
import re
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


def test_the_first_screen_faces_are_preloaded_and_optional_the_others_swap():
    # A preloaded face is optional: there for the first layout, never swapped in later. An
    # optional face that misses the first layout is never used (not even from the cache),
    # so the faces used only below the first screen swap in when they arrive.
    dist = ROOT / "dist"
    if not (dist / "vendor" / "fonts" / "fonts.css").exists():
        pytest.fail("no dist/: run `make site` first (make test does)")
    preloaded = check_font_preloads(dist)
    assert "vendor/fonts/source-serif-4-latin-400-normal.woff2" in preloaded
    assert "vendor/fonts/inter-latin-400-normal.woff2" in preloaded
    css = (dist / "vendor" / "fonts" / "fonts.css").read_text(encoding="utf-8")
    faces = re.findall(r'font-display: (\w+);\n  src: url\("\./([^"]+)"\)', css)
    assert len(faces) == css.count("@font-face") == 7
    for display, name in faces:
        assert display == ("optional" if f"vendor/fonts/{name}" in preloaded else "swap"), name
    assert {d for d, _ in faces} == {"optional", "swap"}
    assert "modulepreload" not in (dist / "index.html").read_text(encoding="utf-8")
