"""The lab's first sections as a reader uses them (#14): the Top candidates panels
beside the exact posterior, Fill in a name (good, bad and unfitting patterns, the
translator's answer pattern) and revealing a name by hand, by mouse and keyboard."""
import re

from conftest import wait_until
from test_page import train_names

PCT = re.compile(r"(\d+(?:\.\d)?)%")
TEXT = "(sel) => document.querySelector(sel).innerText"


def text(page, sel):
    return page.evaluate(f"({TEXT})({sel!r})")


def training_names(page):
    return {t.strip() for t in page.locator("#names-list .entry").all_inner_texts()}


def fits(name, pattern):
    return len(name) == len(pattern) and all(p in ("?", c) for p, c in zip(pattern, name))


def panel_bars(page, panel):
    """[(caption, [(char, percent)])] of a Top candidates panel, read from its text."""
    cols = []
    for col in page.locator(f"{panel} .tc-col").all():
        rows = [(li.locator(".tc-char").inner_text(), float(PCT.search(li.inner_text()).group(1)))
                for li in col.locator("li").all()]
        cols.append((col.locator(".tc-caption").inner_text(), rows))
    return cols


def check_panel(page, panel, row_visible):
    """Model and oracle bars: at most 5 each, falling, summing to at most 100 %, and
    every listed fitting name agrees with the visible characters of the row."""
    cols = panel_bars(page, panel)
    assert [c for c, _ in cols][1] == "Exact posterior (oracle)"
    for _, rows in cols:
        ps = [p for _, p in rows]
        assert 1 <= len(ps) <= 5 and ps == sorted(ps, reverse=True) and sum(ps) <= 100.5
    fitting = text(page, f"{panel} .tc-fitting")
    m = re.search(r"fit \((\d+)\): (.*)", fitting)
    assert m, fitting
    for name in m.group(2).replace(", …", "").split(", "):
        padded = name.ljust(len(row_visible), "_")
        assert all(v in ("?", c) for v, c in zip(row_visible, padded)), (name, row_visible)


def test_top_candidates_in_the_timeline_and_the_live_prediction(ready):
    page = ready.page
    train_names(page)
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#timeline [data-step]').length > 2")
    assert page.get_by_role("region", name="Top candidates").count() >= 3
    # step 1: every position was masked before it, so every cell has candidates
    first = page.locator("#timeline [data-step='1'] .cell").first
    assert "has-top" in first.get_attribute("class")
    first.click()
    wait_until(page, "document.querySelector('#timeline-beliefs').innerText.includes('fit (')")
    assert text(page, "#timeline-beliefs .tc-title").startswith("Position 1, step 1: the model saw ???????")
    check_panel(page, "#timeline-beliefs", "???????")
    assert "fit (40)" in text(page, "#timeline-beliefs")  # nothing visible: every name fits
    # keyboard: the arrow keys move the focus and the panel follows it
    page.keyboard.press("ArrowRight")
    wait_until(page, "document.querySelector('#timeline-beliefs .tc-title').innerText.startsWith('Position 2, step 1')")
    page.keyboard.press("ArrowDown")
    wait_until(page, "document.querySelector('#timeline-beliefs .tc-title')?.innerText.startsWith('Position 2, step 2')"
                     " || document.querySelector('#timeline-beliefs .placeholder')?.innerText.startsWith('Position 2, step 2')")
    # screen readers: the focused cell is described by the same numbers as text
    described = page.evaluate("document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent")
    assert described.startswith("Position 2, step 2") and ("%" in described or "nothing to guess" in described)
    # the live prediction (section IV): a hidden cell of the guess row
    noisy = page.evaluate("[...document.querySelectorAll('#prediction .pred-row:first-child .cell')].map(c => c.textContent).join('')")
    pos = noisy.index("?")
    page.locator("#prediction .pred-row:nth-child(2) .cell").nth(pos).focus()
    wait_until(page, "document.querySelector('#prediction-beliefs').innerText.includes('Exact posterior')")
    wait_until(page, "document.querySelector('#prediction-beliefs .tc-fitting')")
    check_panel(page, "#prediction-beliefs", noisy)


def fill(page, pattern):
    page.get_by_label("Pattern", exact=True).fill(pattern)
    page.get_by_role("button", name="Fill in", exact=True).click()


def wait_filled(page, pattern, n=5):
    wait_until(page, f"document.querySelector('#fill-message').innerText.includes({pattern!r})"
                     f" && document.querySelectorAll('#fill-model li').length === {n}")


def test_fill_in_a_name_beside_the_exact_posterior(ready):
    page = ready.page
    names = training_names(page)
    assert len(names) == 40
    train_names(page)
    for pattern in ["r???l", "??vya", "?????"]:
        fill(page, pattern)
        wait_filled(page, pattern)
        answers = page.locator("#fill-model li .sample-text").all_inner_texts()
        badges = page.locator("#fill-model li .badge").all_inner_texts()
        for a, b in zip(answers, badges):
            assert fits(a, pattern), (a, pattern)
            assert (b == "in the training set") == (a in names), (a, b)
        fitting = [n for n in names if fits(n, pattern)]
        assert fitting, pattern
        oracle = page.locator("#fill-oracle li .sample-text").all_inner_texts()
        assert len(oracle) == 5 and all(fits(a, pattern) for a in oracle)
        assert f"{len(fitting)} training name" in text(page, "#fill-fitting")
        assert page.locator("#fill-timeline [data-step]").count() == 11  # start + 10 steps
    # how many alternatives
    page.select_option("#fill-n", "3")
    fill(page, "r???l")
    wait_filled(page, "r???l", 3)
    # a pattern no training name fits: the model answers, the oracle has none
    fill(page, "a?i")
    wait_filled(page, "a?i", 3)
    assert not [n for n in names if fits(n, "a?i")]
    assert "no training name fits a?i" in text(page, "#fill-message").lower()
    assert page.locator("#fill-oracle li").count() == 0
    assert "no answer" in text(page, "#fill-oracle-summary").lower()


def test_bad_patterns_say_why_keep_the_text_and_run_nothing(ready):
    page = ready.page
    train_names(page)
    fill(page, "r???l")
    wait_filled(page, "r???l")
    for bad, words in [("r2?l", "'2' is not allowed in the pattern"), ("?a?a?a?a", "has 8 characters; at most 7"),
                       ("", "The pattern is empty"), ("ra l", "not allowed")]:
        fill(page, bad)
        wait_until(page, f"document.querySelector('#fill-message').innerText.includes({words!r})")
        assert page.get_by_label("Pattern", exact=True).input_value() == bad
        assert page.get_attribute("#pattern", "aria-invalid") == "true"
        assert "Nothing was run" in text(page, "#fill-message")
        assert page.locator("#fill-model li").count() == 0  # the earlier answers are cleared
    # typing again clears the mark; Enter in the box fills in
    page.get_by_label("Pattern", exact=True).fill("k????")
    assert page.get_attribute("#pattern", "aria-invalid") is None
    page.get_by_label("Pattern", exact=True).press("Enter")
    wait_filled(page, "k????")


def test_the_translator_answer_pattern(ready):
    page = ready.page
    page.click("#train-translator")
    wait_until(page, "/\\d+\\s*\\/\\s*30/.test(document.querySelector('#accuracy').innerText)", timeout=90_000)
    page.get_by_label("Word for the translator").fill("water")
    page.get_by_label("Answer pattern").fill("p????")
    page.get_by_role("button", name="Fill in the answer").click()
    wait_until(page, "document.querySelectorAll('#fill-model li').length === 5")
    for a in page.locator("#fill-model li .sample-text").all_inner_texts():
        assert fits(a, "p????"), a
    # the only training pair that fits water → p???? is water → paani
    assert set(page.locator("#fill-oracle li .sample-text").all_inner_texts()) == {"paani"}
    assert "paani" in text(page, "#fill-fitting")
    # the summary counts answers, not names
    m = re.fullmatch(r"New answers: (\d) of 5 \((\d+)%\)(.*)\.", text(page, "#fill-model-summary"))
    fresh = int(m[1])
    assert int(m[2]) == 20 * fresh and m[3] == (
        "" if fresh == 5 else "; all are training answers" if fresh == 0 else "; the rest are training answers")
    # the translator's own timeline (section XII) has its Top candidates panel too;
    # training ended by translating the word in the box, hello
    wait_until(page, "document.querySelector('#translation').innerText.startsWith('hello')")
    step_1 = page.locator("#tr-timeline [data-step='1'] .cell.has-top").first
    step_1.click()
    wait_until(page, "document.querySelector('#tr-timeline-beliefs').innerText.includes('Training pairs that fit (')")
    assert "hello → namaste" in text(page, "#tr-timeline-beliefs .tc-fitting")
    # a new translation is a new timeline: the panel no longer speaks of the old one
    page.get_by_label("English word", exact=True).fill("water")
    page.click("#translate")
    wait_until(page, "document.querySelector('#translation').innerText.startsWith('water')")
    assert page.locator("#tr-timeline-beliefs .tc-fitting").count() == 0
    assert "Focus or click a masked cell" in text(page, "#tr-timeline-beliefs")
    step_1.click()
    wait_until(page, "document.querySelector('#tr-timeline-beliefs').innerText.includes('Training pairs that fit (')")
    assert "water → paani" in text(page, "#tr-timeline-beliefs .tc-fitting")
    page.get_by_label("Answer pattern").fill("p?9")
    page.get_by_role("button", name="Fill in the answer").click()
    wait_until(page, "document.querySelector('#fill-message').innerText.includes('not allowed')")
    assert page.get_attribute("#answer-pattern", "aria-invalid") == "true"


def column_texts(page):
    return page.locator("#byhand-beliefs .bg-col .visually-hidden").all_inner_texts()


def test_reveal_by_hand_in_any_order(ready):
    page = ready.page
    train_names(page)
    wait_until(page, "document.querySelectorAll('#byhand-beliefs .bg-col').length === 7", timeout=20_000)
    assert page.get_by_role("region", name="Top candidates").count() >= 4
    before = column_texts(page)
    assert all("masked" in t and "Exact posterior" in t for t in before)
    # click the last position first: every other column is predicted again
    page.locator("#byhand-row .cell").nth(6).click()
    wait_until(page, "document.querySelectorAll('#byhand-history li').length === 1")
    after = column_texts(page)
    assert "masked" not in after[6]
    assert after[:6] != before[:6]
    # keyboard: arrows move between cells, Enter reveals
    page.locator("#byhand-row .cell").nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.pos") == "1"
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelectorAll('#byhand-history li').length === 2")
    row = page.evaluate("[...document.querySelectorAll('#byhand-row .cell')].map(c => c.textContent).join('')")
    assert row[1] != "?" and row[6] != "?"
    # a revealed cell says so and does nothing
    page.locator("#byhand-row .cell").nth(1).click(force=True)  # aria-disabled, yet it answers
    wait_until(page, "document.querySelector('#byhand-message').innerText.includes('already revealed')")
    page.locator("#byhand-row .cell.mask").first.focus()
    # finish with Space: the focus moves on to the next masked cell after each reveal
    for n in range(3, 8):
        if text(page, "#byhand-message").startswith("Done"):
            break
        page.keyboard.press(" ")
        wait_until(page, f"document.querySelectorAll('#byhand-history li').length === {n}")
    wait_until(page, "document.querySelector('#byhand-message').innerText.startsWith('Done')")
    assert re.search(r"is (a training name|not a training name)", text(page, "#byhand-message"))
    page.get_by_role("button", name="Reset the row").click()
    wait_until(page, "[...document.querySelectorAll('#byhand-row .cell')].every(c => c.textContent === '?')")
    assert page.locator("#byhand-history li").count() == 0
    # on a phone the columns scroll inside their box; the page itself never scrolls sideways
    page.set_viewport_size({"width": 360, "height": 800})
    page.locator("#byhand-row .cell").nth(3).click()
    wait_until(page, "document.querySelectorAll('#byhand-history li').length === 1")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    # going on training (+500 more, the same model) leaves the row alone while the run goes
    # on, and starts it again from all masks, with the new weights, once the run has ended
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#more")
    wait_until(page, "!document.querySelector('#stop').disabled")
    assert page.locator("#byhand-history li").count() == 1
    wait_until(page, "document.querySelector('#stop').disabled"
               " && document.querySelectorAll('#byhand-history li').length === 0"
               " && [...document.querySelectorAll('#byhand-row .cell')].every("
               "c => c.textContent === '?')", timeout=60_000)


# A focused timeline cell's number (its ::after) and its row's step label, as page boxes
# {top, bottom, left, right}, the timeline's box (a scroll container: it clips), and the number
TOOLTIP_AND_LABEL = """(sel) => {
  const cell = document.querySelector(sel);
  const after = getComputedStyle(cell, '::after');
  const box = cell.getBoundingClientRect();
  const top = box.top + parseFloat(after.top), left = box.left + parseFloat(after.left);
  const tip = {top, bottom: top + parseFloat(after.height), left, right: left + parseFloat(after.width)};
  const box_ = (r) => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right});
  const label = cell.closest('.tl-row').querySelector('.tl-label').getBoundingClientRect();
  const scroller = cell.closest('.timeline').getBoundingClientRect();  // it clips what overflows
  return [tip, box_(label), box_(scroller), after.content];
}"""


def overlap(a, b):
    return a["top"] < b["bottom"] and b["top"] < a["bottom"] and a["left"] < b["right"] and b["left"] < a["right"]


def test_a_focused_cells_number_never_covers_its_step_label(ready):
    page = ready.page
    train_names(page)
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#timeline [data-step]').length > 2")
    for width in (360, 1280):  # one timeline, laid out at each width
        page.set_viewport_size({"width": width, "height": 800})
        for row in ("[data-step]:not([data-step='0'])", "[data-step]:last-child"):  # and the last row
            sel = f"#timeline {row} .cell[data-p]"
            page.locator(sel).first.focus()
            tip, label, scroller, content = page.evaluate(TOOLTIP_AND_LABEL, sel)
            assert 0 <= float(content.strip('"')) <= 1 and 8 < tip["bottom"] - tip["top"] < 30, (width, content, tip)
            assert not overlap(tip, label), (width, row, tip, label)
            # whole: not cut by the timeline's edges, nor by the window's sideways
            assert scroller["top"] <= tip["top"] and tip["bottom"] <= scroller["bottom"], (width, row, tip, scroller)
            assert 0 <= tip["left"] and tip["right"] <= width, (width, row, tip)
