"""The local server sends text files gzip-compressed, as GitHub Pages does (scripts/serve.py)."""
import gzip
import sys
import threading
import urllib.request

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from serve import make_server  # noqa: E402


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><p>" + "words " * 500, encoding="utf-8")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "main.css").write_text("p { color: red; }\n" * 100)
    (tmp_path / "pyodide").mkdir()
    (tmp_path / "pyodide" / "pyodide.asm.js").write_text("var x = 1;\n" * 100)
    (tmp_path / "font.woff2").write_bytes(b"wOF2" + bytes(200))
    srv = make_server(tmp_path, "127.0.0.1", 0, "/sub/", quiet=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield tmp_path, f"http://127.0.0.1:{srv.server_address[1]}/sub/"
    srv.shutdown()
    srv.server_close()


def get(url, gzip_ok=True):
    headers = {"Accept-Encoding": "gzip, deflate"} if gzip_ok else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as r:
        return r.headers, r.read()


@pytest.mark.parametrize("path, file", [("", "index.html"), ("index.html", "index.html"),
                                        ("css/main.css", "css/main.css")])
def test_text_goes_compressed_to_a_browser_that_accepts_gzip(site, path, file):
    root, url = site
    headers, body = get(url + path)
    assert headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body) < (root / file).stat().st_size
    assert gzip.decompress(body) == (root / file).read_bytes()
    assert headers["Content-Type"].startswith("text/")


def test_without_gzip_and_under_pyodide_and_for_fonts_the_bytes_go_as_they_are(site):
    root, url = site
    for path, gzip_ok in [("css/main.css", False), ("pyodide/pyodide.asm.js", True),
                          ("font.woff2", True)]:
        headers, body = get(url + path, gzip_ok)
        assert headers["Content-Encoding"] is None, path
        assert body == (root / path).read_bytes(), path
