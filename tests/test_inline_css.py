"""The page's style sheets are inlined at build time, each allowed by its hash in the CSP
(scripts/sitebuild/inline_css.py), and the local server's CSP header allows the same."""
import base64
import hashlib
import re
import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from serve import CSP, policy  # noqa: E402
from sitebuild.config import BuildError  # noqa: E402
from sitebuild.inline_css import inline_stylesheets, relative_to_page  # noqa: E402

PAGE = ('<!doctype html><html><head>\n<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'self'; style-src 'self'; font-src 'self'\">\n"
        '<link rel="stylesheet" href="vendor/fonts/fonts.css">\n'
        '<link rel="stylesheet" href="css/main.css">\n</head><body><p>hi</p></body></html>')
STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def sha(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "vendor" / "fonts").mkdir(parents=True)
    (tmp_path / "vendor" / "fonts" / "fonts.css").write_text(
        '@font-face{font-family:"A";src:url("a-400.woff2") format("woff2")}\n', encoding="utf-8")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "main.css").write_text(
        "p{color:red;background:url(../img/x.svg)}\nq{background:url(data:image/png;base64,AA)}"
        "\nb{background:url(/abs.png)}\n", encoding="utf-8")
    return tmp_path


def test_each_sheet_becomes_a_style_element_in_place_with_urls_relative_to_the_page(site):
    hashes = inline_stylesheets(site)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "<link rel=\"stylesheet\"" not in html
    fonts, main = STYLE.findall(html)  # same order as the links
    assert 'url("vendor/fonts/a-400.woff2")' in fonts
    assert "url(img/x.svg)" in main  # ../img/x.svg from css/
    assert "url(data:image/png;base64,AA)" in main and "url(/abs.png)" in main  # untouched
    assert html.index("<style>") > html.index("Content-Security-Policy")  # policy first
    assert hashes == [sha(fonts), sha(main)]
    assert f"style-src 'self' {sha(fonts)} {sha(main)};" in html  # each allowed by its hash


def test_a_missing_sheet_or_one_that_would_end_its_element_fails_the_build(site):
    (site / "css" / "main.css").unlink()
    with pytest.raises(BuildError, match="css/main.css"):
        inline_stylesheets(site)
    (site / "css" / "main.css").write_text("p::after{content:'</style>'}", encoding="utf-8")
    with pytest.raises(BuildError, match="</style"):
        inline_stylesheets(site)
    assert (site / "index.html").read_text(encoding="utf-8") == PAGE  # left as it was


def test_a_page_without_a_style_src_to_extend_fails_the_build(site):
    (site / "index.html").write_text(PAGE.replace("style-src 'self'; ", ""), encoding="utf-8")
    with pytest.raises(BuildError, match="style-src 'self'"):
        inline_stylesheets(site)


def test_relative_urls_resolve_from_the_sheets_folder():
    assert relative_to_page("a{b:url('f/x.woff2')}", "vendor/katex/katex.min.css") == \
        "a{b:url('vendor/katex/f/x.woff2')}"
    assert relative_to_page("a{b:url(x.png)}", "main.css") == "a{b:url(x.png)}"
    assert relative_to_page("a{b:url(https://e.invalid/x.png)}", "c/m.css") == \
        "a{b:url(https://e.invalid/x.png)}"


def test_the_servers_csp_header_allows_the_builds_hashes(site):
    assert policy(site) == CSP  # no manifest: the plain policy
    (site / "build-manifest.json").write_text('{"style_hashes": ["\'sha256-AAA=\'"]}')
    assert "style-src 'self' 'sha256-AAA=';" in policy(site)
    assert policy(site).replace(" 'sha256-AAA='", "") == CSP


def test_the_built_page_inlines_every_sheet_and_allows_each_by_hash():
    dist = ROOT / "dist"
    if not (dist / "index.html").exists():
        pytest.fail("no dist/: run `make site` first (make test does)")
    html = (dist / "index.html").read_text(encoding="utf-8")
    sheets = STYLE.findall(html)
    assert len(sheets) == 3 and "rel=\"stylesheet\"" not in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)[1]
    style_src = next(d for d in csp.split(";") if d.strip().startswith("style-src")).split()
    assert style_src[:2] == ["style-src", "'self'"] and "'unsafe-inline'" not in style_src
    assert sorted(style_src[2:]) == sorted(sha(s) for s in sheets)
