"""Put the page's style sheets into index.html, so its first paint waits for no request.

A linked style sheet blocks rendering until it has arrived: on a slow mobile link each
costs a round trip before the first paint (Lighthouse's "render-blocking requests",
https://developer.chrome.com/docs/performance/insights/render-blocking). The build
therefore replaces the ``<link rel="stylesheet">`` tags of index.html's head by one
``<style>`` element holding the same sheets in the same order, with every relative
``url(...)`` rewritten to stay correct from the page, and allows exactly that element
in the page's Content-Security-Policy by its SHA-256 hash (CSP Level 3, "hash-source",
https://www.w3.org/TR/CSP3/#grammardef-hash-source); no ``'unsafe-inline'``.

The sheets stay in the site as files too (the service worker precaches them; other
pages may link them).
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import re
from pathlib import Path

from .config import BuildError

_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">\n?')
_URL = re.compile(r"""url\((["']?)([^)"']+)\1\)""")
_CSP_STYLE = re.compile(
    r"(<meta http-equiv=\"Content-Security-Policy\" content=\"[^\"]*?style-src 'self')")


def style_hash(css: str) -> str:
    """The CSP hash-source of a ``<style>`` element's text: ``'sha256-<base64>'``."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def inline_styles_of(html: str) -> list[str]:
    """The text of every ``<style>`` element in ``html``, in order (what a CSP must allow)."""
    return re.findall(r"<style>(.*?)</style>", html, re.S)


def _rebase(css: str, sheet: str) -> str:
    """``url(x)`` in the sheet at site path ``sheet`` -> the same file, seen from the site root."""
    base = posixpath.dirname(sheet)

    def fix(m: re.Match) -> str:
        quote, url = m.group(1), m.group(2)
        if url.startswith(("data:", "/", "#")) or "://" in url:
            return m.group(0)
        return f"url({quote}{posixpath.normpath(posixpath.join(base, url))}{quote})"

    return _URL.sub(fix, css)


def inline_stylesheets(site: Path) -> list[str]:
    """Inline the style sheets index.html's head links; return their site paths, in order.

    Raises BuildError when a linked sheet is missing, when a sheet holds ``</style`` (it
    would end the element early), or when the page has no ``style-src 'self'`` in its
    CSP meta tag to add the hash to.
    """
    page = site / "index.html"
    html = page.read_text(encoding="utf-8")
    head_end = html.find("</head>")
    links = [m for m in _LINK.finditer(html) if m.start() < head_end]
    if not links:
        return []
    parts = []
    for m in links:
        href = m.group(1)
        path = site / href
        if not path.is_file():
            raise BuildError(
                f"index.html links the style sheet {href}, which the build did not produce")
        css = path.read_text(encoding="utf-8")
        if "</style" in css.lower():
            raise BuildError(f"{href} contains '</style', which would end the inlined sheet early")
        parts.append(f"/* {href} */\n{_rebase(css, href).strip()}\n")
    css = "\n".join(parts)
    if not _CSP_STYLE.search(html):
        raise BuildError("index.html's Content-Security-Policy meta tag needs style-src 'self'")
    html = _CSP_STYLE.sub(lambda m: f"{m.group(1)} {style_hash(css)}", html, count=1)
    first = _LINK.search(html)
    rest = _LINK.sub("", html[first.start() :], count=len(links))
    html = html[: first.start()] + f"<style>{css}</style>\n" + rest
    page.write_text(html, encoding="utf-8")
    return [m.group(1) for m in links]
