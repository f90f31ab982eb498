"""The build inlines the page's style sheets, allowed by hash in its CSP (sitebuild/inline_css)."""
import base64
import hashlib
import re
import sys
import threading
import urllib.request

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from serve import make_server  # noqa: E402
from sitebuild.config import BuildError  # noqa: E402
from sitebuild.inline_css import inline_styles_of, inline_stylesheets, style_hash  # noqa: E402

CSP = ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; "
       "style-src 'self'; font-src 'self'\">")
PAGE = f"""<!doctype html><html><head>{CSP}
<link rel="stylesheet" href="vendor/fonts/fonts.css">
<link rel="stylesheet" href="css/main.css">
<script type="module" src="js/main.js"></script>
</head><body><p>words</p><link rel="stylesheet" href="css/late.css">
</body></html>
"""


def site_with(tmp_path, page=PAGE, sheets=None):
    sheets = sheets if sheets is not None else {
        "vendor/fonts/fonts.css": "@font-face { src: url(a.woff2) format('woff2'); }",
        "css/main.css": 'body { background: url("../img/x.svg"), url(data:image/png;base64,AA); }',
        "css/late.css": "p { color: red; }",
    }
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    for name, text in sheets.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_head_sheets_become_one_style_element_in_order_with_urls_seen_from_the_page(tmp_path):
    site = site_with(tmp_path)
    assert inline_stylesheets(site) == ["vendor/fonts/fonts.css", "css/main.css"]
    html = (site / "index.html").read_text(encoding="utf-8")
    (css,) = inline_styles_of(html)
    # the order kept, the urls rebased
    assert css.index("vendor/fonts/a.woff2") < css.index('url("img/x.svg")')
    assert "url(data:image/png;base64,AA)" in css  # data: urls as they were
    assert 'href="vendor/fonts/fonts.css"' not in html and 'href="css/main.css"' not in html
    assert '<link rel="stylesheet" href="css/late.css">' in html  # only the head's links
    assert html.index("<style>") < html.index('<script type="module"')  # where the links were


def test_the_csp_allows_exactly_the_inlined_sheet_by_its_sha256(tmp_path):
    site = site_with(tmp_path)
    inline_stylesheets(site)
    html = (site / "index.html").read_text(encoding="utf-8")
    (css,) = inline_styles_of(html)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', html).group(1)
    assert f"style-src 'self' 'sha256-{digest}';" in policy and "unsafe-inline" not in policy
    assert style_hash(css) == f"'sha256-{digest}'"


def test_a_missing_sheet_fails_the_build_by_name(tmp_path):
    site = site_with(tmp_path, sheets={"css/main.css": "p {}"})
    with pytest.raises(BuildError, match="vendor/fonts/fonts.css"):
        inline_stylesheets(site)


def test_a_sheet_that_would_close_the_style_element_fails_the_build(tmp_path):
    site = site_with(tmp_path, sheets={"vendor/fonts/fonts.css": "p {}",
                                       "css/main.css": 'p::after { content: "</style>"; }'})
    with pytest.raises(BuildError, match="</style"):
        inline_stylesheets(site)


def test_a_page_without_style_src_in_its_csp_fails_the_build(tmp_path):
    site = site_with(tmp_path, page=PAGE.replace(" style-src 'self';", ""))
    with pytest.raises(BuildError, match="style-src"):
        inline_stylesheets(site)


def test_the_local_server_csp_header_allows_the_inlined_sheet(tmp_path):
    site = site_with(tmp_path)
    inline_stylesheets(site)
    (css,) = inline_styles_of((site / "index.html").read_text(encoding="utf-8"))
    srv = make_server(site, "127.0.0.1", 0, "/", csp=True, quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{srv.server_address[1]}/") as r:
            policy = r.headers["Content-Security-Policy"]
    finally:
        srv.shutdown()
        srv.server_close()
    assert f"style-src 'self' {style_hash(css)};" in policy and "unsafe-inline" not in policy


def test_the_built_page_links_no_style_sheet_and_its_csp_allows_its_one_style():
    html = (ROOT / "dist" / "index.html").read_text(encoding="utf-8")
    assert 'rel="stylesheet"' not in html
    (css,) = inline_styles_of(html)
    assert "/* css/main.css */" in css and "/* vendor/fonts/fonts.css */" in css
    assert f"style-src 'self' {style_hash(css)};" in html
