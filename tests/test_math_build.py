"""The formulas are typeset with KaTeX when the site is built (scripts/sitebuild/math.py).

The page then runs no KaTeX: its HTML holds KaTeX's markup, whose inline sizes (which
the page's CSP would refuse as style attributes) became classes in katex.min.css.
"""
import re
import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from sitebuild.config import BuildError  # noqa: E402
from sitebuild.math import prerender_math, styles_to_classes  # noqa: E402

CLASSES = re.compile(r'class="([^"]*)"')


def site_with(tmp_path, body):
    (tmp_path / "vendor" / "katex").mkdir(parents=True)
    css = tmp_path / "vendor" / "katex" / "katex.min.css"
    css.write_text(".katex{font:normal 1.21em KaTeX_Main}")
    (tmp_path / "index.html").write_text(f"<!doctype html><body>{body}</body>", encoding="utf-8")
    return tmp_path


def used_classes(html):
    names = (c for found in CLASSES.findall(html) for c in found.split())
    return {c for c in names if re.fullmatch(r"kx\d+", c)}


def test_each_formula_is_typeset_with_html_and_mathml(tmp_path):
    site = site_with(tmp_path, '<p>A</p><div class="math display" '
                               'data-tex="\\frac{1}{L} x_0^i &lt; t">1/L x0 &lt; t</div>'
                               '<p>and <span class="math" data-tex="q(x_t)">q</span>.</p>')
    assert prerender_math(site) == 2
    html = (site / "index.html").read_text(encoding="utf-8")
    assert html.count('class="katex-display"') == 1 and html.count('class="katex"') == 2
    assert "<math" in html
    assert '<annotation encoding="application/x-tex">\\frac{1}{L} x_0^i &lt; t' in html
    assert "1/L x0" not in html, "the plain-text stand-in is replaced"
    assert 'data-tex="q(x_t)"' in html and "<p>A</p>" in html
    assert " style=" not in html, "the CSP refuses inline styles"
    css = (site / "vendor" / "katex" / "katex.min.css").read_text()
    used = used_classes(html)
    assert used, "KaTeX's sizes are carried by classes"
    for name in used:
        assert re.search(rf"\.katex \.{name}\{{[a-z-]+:[^}}]+!important", css), name


def test_styles_become_shared_classes():
    markup, css = styles_to_classes([
        '<span class="strut" style="height:1em;"></span>',
        '<span style="height:1em;">x</span><b style="top:-2em;margin-left:0em;">'])
    assert markup == ['<span class="strut kx0"></span>',
                      '<span class="kx0">x</span><b class="kx1">']
    assert css == (".katex .kx0{height:1em!important}\n"
                   ".katex .kx1{top:-2em!important;margin-left:0em!important}\n")


def test_a_formula_katex_cannot_parse_fails_the_build_naming_it(tmp_path):
    site = site_with(tmp_path, '<div class="math display" data-tex="\\frac{1">x</div>')
    with pytest.raises(BuildError, match=r"frac\{1"):
        prerender_math(site)


def test_a_data_tex_element_of_another_form_fails_the_build(tmp_path):
    site = site_with(tmp_path, '<p class="math" data-tex="x">x</p>')
    with pytest.raises(BuildError, match="data-tex"):
        prerender_math(site)


def test_the_built_page_holds_its_formulas_typeset_and_loads_no_katex_script():
    dist = ROOT / "dist"
    if not (dist / "index.html").exists():
        pytest.fail("no dist/: run `make site` first (make test does)")
    html = (dist / "index.html").read_text(encoding="utf-8")
    maths = re.findall(r'data-tex="[^"]*">(.*?)</div>', html, re.S)
    assert len(maths) == html.count("data-tex=") >= 4
    assert all('<span class="katex-display">' in m and "<math" in m for m in maths)
    assert "katex.min.js" not in html and " style=" not in html
    css = (dist / "vendor" / "katex" / "katex.min.css").read_text(encoding="utf-8")
    assert "/* vendor/katex/katex.min.css */" in html and "katex.min.css" not in html.replace(
        "/* vendor/katex/katex.min.css */", "")  # inlined by the build, not linked
    for name in used_classes(html):
        assert f".katex .{name}{{" in css, name


def test_every_mathml_script_element_in_the_built_page_has_its_children():
    # <munderover>/<msubsup> take a base and two scripts, <munder>/<mover>/<msub>/<msup>/
    # <mfrac> two children (MathML Core); Firefox reports any other count when it lays one out.
    from html.parser import HTMLParser

    arity = {"munderover": 3, "msubsup": 3, "munder": 2, "mover": 2, "msub": 2, "msup": 2,
             "mfrac": 2}

    class Counter(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.seen, self.bad = [], 0, []

        def handle_starttag(self, tag, attrs):
            if self.stack:
                self.stack[-1][1] += 1
            self.stack.append([tag, 0])

        def handle_endtag(self, tag):
            name, children = self.stack.pop()
            if name in arity:
                self.seen += 1
                if children != arity[name]:
                    self.bad.append((name, children))

    dist = ROOT / "dist"
    if not (dist / "index.html").exists():
        pytest.fail("no dist/: run `make site` first (make test does)")
    html = (dist / "index.html").read_text(encoding="utf-8")
    counter = Counter()
    for math in re.findall(r"<math\b.*?</math>", html, re.S):
        counter.feed(math)
    assert counter.seen >= 6 and counter.bad == []
