"""The diffusion lab, part 1 (#14), in Firefox ESR and WebKitGTK, walked as a reader walks
it: Top candidates beside the exact posterior (held against the posterior worked out here)
at every step, Fill in a name (good, unfitting and bad patterns), and revealing by hand.
One page per engine, trained once by the first test to need it (lab_kit.py). Errors fail
every test as in test_firefox_webkit.py. Selects and the slider are set by script with the
events a reader's choice fires; text is typed, keys are pressed, cells are clicked.
"""
from __future__ import annotations

import re
from collections import Counter

import pytest
from engine_drivers import ENGINES
from lab_kit import L, fits, trained, training_names

# ------------------------------------------------------------------ #14 beliefs
PANEL = """[...document.querySelectorAll(arguments[0] + ' .tc-col')].map(col => ({
  caption: col.querySelector('.tc-caption').textContent,
  rows: [...col.querySelectorAll('li')].map(li => [li.querySelector('.tc-char').textContent,
                                                   li.querySelector('.tc-num').textContent])}))"""


def percent(text):
    """A bar's percentage: "41%", "0.3%", or just inside 0 and 100 (">99.9%", "<0.1%",
    read as their bound)."""
    return float(re.fullmatch(r"[<>]?(\d+(?:\.\d)?)%", text).group(1))  # no match: AttributeError


def exact_posterior(names, row, pos):
    """The share of each character at ``pos`` over the training names that fit ``row``."""
    fit = [n.ljust(L, "_") for n in names if fits(n, row)]
    counts = Counter("end" if n[pos] == "_" else n[pos] for n in fit)
    return {c: k / len(fit) for c, k in counts.items()}, len(fit)


def check_panel(page, panel, names):
    """The open panel: the model's bars (1-5, falling, a distribution's top) and the
    oracle's, which must be the top of the exact posterior of the row the model saw
    to the panel's rounding (whole percent from 10 %, tenths below)."""
    title = page.text(f"{panel} .tc-title")
    m = re.fullmatch(r"Position (\d), step (\d+): the model saw ([a-z?_]{7})( and drew [a-z_])?",
                     title)
    assert m, title
    pos, row = int(m.group(1)) - 1, m.group(3)
    assert row[pos] == "?", title  # the model is asked only where the row is masked
    (model, oracle) = page.js(PANEL, panel)
    assert oracle["caption"] == "Exact posterior (oracle)", oracle
    for col in (model, oracle):
        ps = [percent(p) for _, p in col["rows"]]
        assert 1 <= len(ps) <= 5 and ps == sorted(ps, reverse=True), col
        assert ps[0] > 0 and all(p >= 0 for p in ps) and sum(ps) <= 100 + 0.5 * len(ps), col
    exact, n_fit = exact_posterior(names, row, pos)
    shown = {c: percent(p) for c, p in oracle["rows"]}
    assert len(shown) == min(5, len(exact)), (row, pos, shown, exact)
    for c, p in shown.items():
        tolerance = 0.51 if p >= 10 else 0.051
        assert c in exact and abs(p - 100 * exact[c]) <= tolerance, (row, pos, c, p, exact)
    left_out = [q for c, q in exact.items() if c not in shown]
    assert not left_out or min(exact[c] for c in shown) >= max(left_out) - 1e-9, (shown, exact)
    fitting = page.text(f"{panel} .tc-fitting")
    m = re.fullmatch(r"Training names that fit \((\d+)\): (.*)", fitting)
    assert m and int(m.group(1)) == n_fit, (fitting, n_fit)
    listed = m.group(2).removesuffix(", …").split(", ")
    assert listed and all(n in names and fits(n, row) for n in listed), (listed, row)
    return pos, int(title.split("step ")[1].split(":")[0])


# true when the cell arguments[0] has the focus; else where the focus is
FOCUSED = """((sel) => { const a = document.activeElement, row = a.closest('[data-step]');
  return a === document.querySelector(sel) || (row ? `step ${row.dataset.step}, position `
    + `${[...a.parentElement.children].indexOf(a) + 1}` : a.outerHTML.slice(0, 80));
})(arguments[0])"""


def open_cell(page, step, pos):
    """Click the cell of ``step``/``pos`` of the Generate timeline; wait for the oracle."""
    cell = f"#timeline [data-step='{step}'] .cell:nth-child({pos + 1})"
    page.click_css(cell)
    hit = page.js(FOCUSED, cell)
    assert hit is True, f"the click on step {step}, position {pos + 1} focused {hit}"
    page.wait("(() => { const t = document.querySelector('#timeline-beliefs .tc-title');"
              f" return t && t.textContent.startsWith('Position {pos + 1}, step {step}:')"
              " && document.querySelector('#timeline-beliefs .tc-fitting'); })()", 30)


@pytest.mark.parametrize("engine", ENGINES)
def test_beliefs_beside_the_exact_posterior_at_every_step(pool, server, engine):
    page = trained(pool, server, engine)
    names = training_names(page)
    page.click("generate")
    page.wait("document.querySelectorAll('#samples li').length === 15"
              " && document.querySelectorAll('#timeline [data-step]').length === 11", 60)
    assert page.count("[role=region][aria-label='Top candidates']") >= 3
    # step 1: every position was masked, so every name fits and every cell has candidates
    assert page.count("#timeline [data-step='1'] .cell.has-top") == L
    open_cell(page, 1, 0)
    assert check_panel(page, "#timeline-beliefs", names) == (0, 1)
    assert "fit (40)" in page.text("#timeline-beliefs")
    # the arrow keys move along the row and the panel follows the focus
    page.keys("ARROW_RIGHT")
    described = page.wait("(() => { const d = document.getElementById(document.activeElement"
                          ".getAttribute('aria-describedby') || 'none');"
                          " return d && d.textContent.includes('Exact posterior: ')"
                          " && d.textContent; })()", 20)
    assert described.startswith("Position 2, step 1"), described
    # step through the generation: at each step, a cell the model guessed there
    checked = 0
    for step in range(2, 11):
        pos = page.js("[...document.querySelectorAll("
                      "`#timeline [data-step='${arguments[0]}'] .cell`)]"
                      ".findIndex(c => c.classList.contains('has-top'))", step)
        if pos < 0:
            continue  # nothing was masked before this step
        open_cell(page, step, pos)
        assert check_panel(page, "#timeline-beliefs", names) == (pos, step)
        checked += 1
    assert checked >= 3, checked
    assert page.errors() == []


# ------------------------------------------------------------------ #14 infilling
def fill(page, pattern, enter=False):
    """Type ``pattern`` into the Pattern box and press Fill in (or Enter)."""
    page.js("document.querySelector('#fill-message').textContent = ''")  # a fresh answer only
    page.type("pattern", pattern)
    page.keys("ENTER") if enter else page.click("fill")


def wait_filled(page, pattern, n=5):
    page.wait(f"document.querySelector('#fill-message').textContent.includes({pattern!r})"
              f" && document.querySelectorAll('#fill-model li').length === {n}", 60)


@pytest.mark.parametrize("engine", ENGINES)
def test_fill_in_keeps_the_letters_and_bad_patterns_keep_the_text(pool, server, engine):
    page = trained(pool, server, engine)
    names = training_names(page)
    for pattern in ("r???l", "??vya"):
        fill(page, pattern)
        wait_filled(page, pattern)
        answers = page.texts("#fill-model li .sample-text")
        badges = page.texts("#fill-model li .badge")
        assert len(answers) == len(badges) == 5
        for a, b in zip(answers, badges):
            assert fits(a, pattern) and len(a) <= len(pattern), (a, pattern)  # letters kept
            assert (b == "in the training set") == (a in names), (a, b)
        oracle = page.texts("#fill-oracle li .sample-text")
        assert len(oracle) == 5 and all(fits(a, pattern) for a in oracle), oracle
        fitting = [n for n in names if fits(n, pattern)]
        assert f"{len(fitting)} training name" in page.text("#fill-fitting")
        assert page.count("#fill-timeline [data-step]") == 11
    # a pattern no training name fits: the model answers, the exact posterior has none
    assert not [n for n in names if fits(n, "a?i")]
    fill(page, "a?i", enter=True)
    wait_filled(page, "a?i")
    assert "no training name fits a?i" in page.text("#fill-message").lower()
    assert all(fits(a, "a?i") for a in page.texts("#fill-model li .sample-text"))
    assert page.count("#fill-oracle li") == 0
    assert "no answer" in page.text("#fill-oracle-summary").lower()
    # bad patterns: the message names the fault, the text stays, nothing runs, and the
    # earlier answers are cleared (they do not answer the text now in the box)
    assert page.texts("#fill-model li")
    for bad, words in [("r2?l", "'2' is not allowed in the pattern"),
                       ("?a?a?a?a", "has 8 characters; at most 7"),
                       ("", "The pattern is empty"), ("ra l", "not allowed")]:
        fill(page, bad)
        page.wait(f"document.querySelector('#fill-message').textContent.includes({words!r})", 30)
        assert "Nothing was run" in page.text("#fill-message")
        assert page.js("document.querySelector('#pattern').value") == bad
        assert page.js("document.querySelector('#pattern').getAttribute('aria-invalid')") == "true"
        assert page.texts("#fill-model li") == [] and page.text("#fill-fitting") == ""
    assert page.errors() == []


# ------------------------------------------------------------------ #14 any order, by hand
BYHAND_COLUMNS = ("[...document.querySelectorAll('#byhand-beliefs .bg-col .visually-hidden')]"
                  ".map(e => e.textContent)")
BYHAND_ROW = "[...document.querySelectorAll('#byhand-row .cell')].map(c => c.textContent).join('')"


def reveals(page, n):
    page.wait(f"document.querySelectorAll('#byhand-history li').length === {n}", 30)
    return page.js(BYHAND_ROW)


@pytest.mark.parametrize("engine", ENGINES)
def test_reveal_by_hand_in_any_order(pool, server, engine):
    page = trained(pool, server, engine)
    page.wait("document.querySelectorAll('#byhand-beliefs .bg-col').length === 7", 30)
    assert reveals(page, 0) == "?" * L
    before = page.js(BYHAND_COLUMNS)
    assert all("masked" in t and "Exact posterior" in t for t in before), before
    # the last position first: every other column is predicted again from the new row
    page.driver.find_elements("css selector", "#byhand-row .cell")[6].click()
    row = reveals(page, 1)
    assert row[:6] == "??????" and re.fullmatch("[a-z_]", row[6]), row
    assert page.texts("#byhand-history li")[0].startswith("Position 7 → ")
    after = page.js(BYHAND_COLUMNS)
    assert "masked" not in after[6] and after[:6] != before[:6], (before, after)
    # keyboard: the arrows move between cells, Enter reveals
    page.js("document.querySelector('#byhand-row .cell').focus()")
    page.keys("ARROW_RIGHT")
    assert page.js("document.activeElement.dataset.pos") == "1"
    page.keys("ENTER")
    assert reveals(page, 2)[1] != "?"
    page.driver.find_elements("css selector", "#byhand-row .cell")[1].click()
    page.wait("document.querySelector('#byhand-message').textContent.includes('already revealed')")
    # Space on the focused cell; the focus moves on to a masked cell after each reveal
    page.js("document.querySelector('#byhand-row .cell.mask').focus()")
    for n in range(3, L + 1):
        if page.text("#byhand-message").startswith("Done"):
            break  # a pad ends the name: the positions after it are pads too
        page.keys("SPACE")
        row = reveals(page, n)
    assert "?" not in row, row
    page.wait("document.querySelector('#byhand-message').textContent.startsWith('Done')", 30)
    name = row.rstrip("_")
    said = "a training name" if name in training_names(page) else "not a training name"
    assert f"Done: “{name}” is {said}" in page.text("#byhand-message")
    page.click("byhand-reset")
    assert reveals(page, 0) == "?" * L
    assert page.errors() == []
