"""Typeset the page's formulas at build time, so the page needs no KaTeX script.

Every element of index.html written as ``<div class="math display" data-tex="TeX">plain
text</div>`` (or a ``<span class="math">`` for inline maths) gets KaTeX's HTML and
MathML in place of its plain-text stand-in; the ``data-tex`` attribute stays. The
page then needs only vendor/katex/katex.min.css and its fonts, and no script runs
to lay the formulas out (no long task, no layout shift when they arrive).

KaTeX sizes its boxes with ``style="…"`` attributes, which the page's CSP
(``style-src 'self'``, no inline styles) would refuse. Each distinct style becomes a
class (``kx0``, ``kx1``, …) whose rule, marked ``!important`` so that it wins over
KaTeX's own rules as the inline style did, is appended to vendor/katex/katex.min.css.

KaTeX is the npm ``katex`` pinned in package.json, run under Node.js
(:data:`RENDERER`). A formula KaTeX cannot parse fails the build, naming it.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from .config import NODE_MODULES, ROOT, BuildError

RENDERER = Path(__file__).with_name("render_math.mjs")
# <div|span class="math[ display]" data-tex="...">stand-in</div|span>;
# a stand-in holds no nested div or span
_MATH = re.compile(
    r'<(?P<tag>div|span) class="math(?P<display> display)?" data-tex="(?P<tex>[^"]*)">'
    r"(?P<body>(?:(?!</?(?:div|span)\b).)*?)</(?P=tag)>",
    re.S,
)
_TAG = re.compile(r"<(?P<name>[a-zA-Z][\w-]*)(?P<attrs>\s[^<>]*)?>")
_STYLE = re.compile(r'\sstyle="(?P<css>[^"]*)"')
_CLASS = re.compile(r'\sclass="(?P<names>[^"]*)"')


def typeset(formulas: list[tuple[str, bool]]) -> list[str]:
    """KaTeX's HTML (with MathML) for each ``(tex, display)``, in order.

    Raises BuildError when Node.js or KaTeX is missing or a formula does not parse.
    """
    node = shutil.which("node")
    if node is None:
        raise BuildError("Node.js is needed to typeset the formulas (node not found on PATH)")
    if not (NODE_MODULES / "katex").is_dir():
        raise BuildError("node_modules/katex is missing: run npm ci")
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in formulas])
    res = subprocess.run([node, str(RENDERER)], input=payload, capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    if res.returncode != 0:
        raise BuildError(f"typesetting the formulas failed: {res.stderr.strip()[-400:]}")
    out = json.loads(res.stdout)
    if len(out) != len(formulas):
        raise BuildError(f"KaTeX returned {len(out)} formulas for {len(formulas)}")
    return out


def styles_to_classes(markup: list[str]) -> tuple[list[str], str]:
    """Each ``style="…"`` in ``markup`` replaced by a class; returns (markup, the classes' CSS).

    >>> styles_to_classes(['<span class="strut" style="height:1em;"></span>'])
    (['<span class="strut kx0"></span>'], '.katex .kx0{height:1em!important}\\n')
    """
    names: dict[str, str] = {}

    def tag(m: re.Match) -> str:
        attrs = m["attrs"] or ""
        style = _STYLE.search(attrs)
        if not style:
            return m[0]
        name = names.setdefault(style["css"], f"kx{len(names)}")
        attrs = attrs[: style.start()] + attrs[style.end():]
        if _CLASS.search(attrs):
            attrs = _CLASS.sub(lambda c: f' class="{c["names"]} {name}"', attrs, count=1)
        else:
            attrs = f' class="{name}"' + attrs
        return f"<{m['name']}{attrs}>"

    out = [_TAG.sub(tag, one) for one in markup]
    rules = []
    for css, name in names.items():
        decls = [d.strip() for d in css.split(";") if d.strip()]
        if any("!important" in d or not re.fullmatch(r"[a-z-]+:[^;{}<>]+", d) for d in decls):
            raise BuildError(f"KaTeX wrote a style the build does not expect: {css!r}")
        rules.append(f".katex .{name}{{{';'.join(d + '!important' for d in decls)}}}\n")
    return out, "".join(rules)


def prerender_math(site: Path) -> int:
    """Typeset every ``data-tex`` element of ``site``/index.html in place; returns how many.

    Appends the rules of KaTeX's sizes to ``site``/vendor/katex/katex.min.css (so run it
    after :func:`sitebuild.vendor.vendor_katex`). Raises BuildError when a ``data-tex``
    element does not have the form above (it would otherwise stay plain text without
    anyone noticing), or when the stylesheet is missing.
    """
    page, sheet = site / "index.html", site / "vendor" / "katex" / "katex.min.css"
    if not sheet.is_file():
        raise BuildError(f"{sheet} is missing: copy KaTeX first")
    text = page.read_text(encoding="utf-8")
    found = list(_MATH.finditer(text))
    if len(found) != text.count("data-tex="):
        raise BuildError(f"{page.name}: every data-tex element must be written "
                         '<div class="math display" data-tex="…">…</div> '
                         'or <span class="math" data-tex="…">…</span>')
    if not found:
        return 0
    rendered, rules = styles_to_classes(
        typeset([(html.unescape(m["tex"]), bool(m["display"])) for m in found]))
    parts, last = [], 0
    for m, markup in zip(found, rendered):
        parts += [text[last:m.start("body")], markup]
        last = m.end("body")
    parts.append(text[last:])
    page.write_text("".join(parts), encoding="utf-8")
    with sheet.open("a", encoding="utf-8") as f:
        f.write("\n/* The sizes of the formulas typeset into index.html"
                " (scripts/sitebuild/math.py) */\n" + rules)
    return len(found)
