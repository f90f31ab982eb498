"""Write the article's reading time into index.html at build time.

The hero says "About N minutes to read". The number is counted here, from the text
the HTML holds inside the article (the element ``id="article"``, the page's
``<main>``), so the first screen as written is final: no script changes it after
the first paint (no layout shift), and no edit of the article can leave a stale
hand-written figure behind.

Counted: the whitespace-separated words of the article's text, leaving out the
formulas (elements with ``data-tex``: their plain-text stand-ins, before KaTeX, or
KaTeX's HTML and MathML, after) and what is never read (``<script>``, ``<style>``,
``<template>``). Words per minute: 230, a common figure for silent reading of prose
(Brysbaert 2019, "How many words do we read per minute?", J. Memory and Language
109, 104047, gives 238 for non-fiction). Text the page's scripts fill in later
(the widgets' readouts) is not counted.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from .config import BuildError

WORDS_PER_MINUTE = 230
MIN_MINUTES = 5
_SPAN = re.compile(r'(<span id="reading-time">)([^<]*)(</span>)')
_SKIPPED = {"script", "style", "template"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
         "source", "track", "wbr"}


class _ArticleText(HTMLParser):
    """Collects the read text of the element ``id="article"`` (see the module's docstring)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, whether its text is counted)
        self.chunks: list[str] = []

    def _counted(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        inside = self._counted() or ("id", "article") in attrs
        skip = tag in _SKIPPED or any(name == "data-tex" for name, _ in attrs)
        self.stack.append((tag, inside and not skip))

    def handle_startendtag(self, tag, attrs):
        pass  # <x/> holds no text

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        # close up to the matching tag (HTML lets some end tags be left out)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self._counted():
            self.chunks.append(data)


def article_words(markup: str) -> int:
    """Words a reader reads in ``markup``'s element ``id="article"`` (no formulas, no scripts).

    >>> article_words('<p>no</p><main id="article"><p>Two words</p>'
    ...               '<span data-tex="x">x + y</span></main>')
    2
    """
    parser = _ArticleText()
    parser.feed(markup)
    parser.close()
    return len(" ".join(parser.chunks).split())


def minutes(words: int) -> int:
    """Reading time in whole minutes at :data:`WORDS_PER_MINUTE`, at least :data:`MIN_MINUTES`.

    >>> minutes(6440), minutes(100)
    (28, 5)
    """
    return max(MIN_MINUTES, round(words / WORDS_PER_MINUTE))


def write_reading_time(site: Path) -> int:
    """Fill ``<span id="reading-time">`` in ``site``/index.html; returns the minutes written.

    Raises BuildError when the page has no such span, or more than one.
    """
    page = site / "index.html"
    markup = page.read_text(encoding="utf-8")
    if len(_SPAN.findall(markup)) != 1:
        raise BuildError('index.html must hold exactly one <span id="reading-time">…</span>')
    n = minutes(article_words(markup))
    page.write_text(_SPAN.sub(lambda m: f"{m[1]}About {n} minutes{m[3]}", markup),
                    encoding="utf-8")
    return n
