"""The formulas arrive typeset with the page: no KaTeX script, no style attributes (#12)."""
from conftest import page_without_scripts

# the height KaTeX gives a formula's strut, as laid out by the browser (0 when its class is missing)
STRUTS = "[...document.querySelectorAll('.math.display .katex-html .katex-strut')].map(s => s.getBoundingClientRect().height)"


def test_the_formulas_are_typeset_without_any_script(browser, server):
    with page_without_scripts(browser, server) as page:
        assert page.locator(".math.display .katex-display").count() == page.locator("[data-tex]").count() >= 4
        # JavaScript is off, but evaluate() runs through the DevTools protocol
        struts = page.evaluate(STRUTS)
        assert struts and all(h > 10 for h in struts), struts
        box = page.locator(".formula .math.display").first.bounding_box()
        assert 30 < box["height"] < 120, box  # one line of maths, not its MathML twin as well


def test_the_page_loads_no_katex_script_and_breaks_no_csp_rule(watched):
    page = watched.page
    page.wait_for_load_state("load")
    assert page.locator(".math.display .katex").count() >= 4
    assert not [u for u in watched.requests if "katex.min.js" in u]
    # the build inlines the style sheets into the page: none is fetched, and KaTeX's rules apply
    assert not [u for u in watched.requests if u.endswith(".css")]
    assert page.evaluate("getComputedStyle(document.querySelector('.katex .katex-mathml')).position") == "absolute"
    # watched.check_clean() (on teardown) fails on any CSP violation, e.g. a style attribute
