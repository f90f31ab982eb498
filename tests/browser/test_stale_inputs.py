"""Fill in a name as a reader meets it after a rejected input or with their own data.

A pattern the core refuses clears the answers of the earlier pattern (the fits line,
both answer lists, the timeline) and keeps the reader's text in the box, for the
names' pattern and for the translator's answer pattern alike. The help under the
pattern box follows the data in use: its maximum length and its example patterns.
"""
from conftest import wait_until
from test_page import train_names

MSG = "document.querySelector('#fill-message').innerText"
NINE = ["alexander", "bob", "carolina", "dan", "evelyn"]


def fits(name, pattern):
    return len(name) == len(pattern) and all(p in ("?", c) for p, c in zip(pattern, name))


def shown(page):
    """What the Fill in widget shows as answers, besides its message."""
    return {
        "model": page.locator("#fill-model li").count(),
        "oracle": page.locator("#fill-oracle li").count(),
        "model-summary": page.inner_text("#fill-model-summary").strip(),
        "oracle-summary": page.inner_text("#fill-oracle-summary").strip(),
        "fitting": page.inner_text("#fill-fitting").strip(),
        "steps": page.locator("#fill-timeline [data-step]").count(),
        "title": page.inner_text("#fill-timeline-title").strip(),
    }


CLEARED = {"model": 0, "oracle": 0, "model-summary": "", "oracle-summary": "", "fitting": "",
           "steps": 0, "title": "Timeline"}


def fill(page, pattern):
    page.get_by_label("Pattern", exact=True).fill(pattern)
    page.get_by_role("button", name="Fill in", exact=True).click()


def fill_rahul(page):
    fill(page, "r???l")
    wait_until(page, f"{MSG}.includes('r???l') && document.querySelectorAll('#fill-model li').length === 5")
    before = shown(page)
    assert "1 training name fits r???l: rahul" in before["fitting"]
    assert before["steps"] > 0 and "rahul" in before["title"]


def help_text(page):
    return page.inner_text("#pattern-help")


def examples(page):
    return page.evaluate("""[...document.querySelectorAll('#pattern-help [data-pattern]')]
        .map(b => [b.dataset.pattern, b.textContent])""")


def test_a_rejected_pattern_clears_the_earlier_answers(ready):
    page = ready.page
    train_names(page)
    for bad, words in [("????????", "has 8 characters; at most 7"), ("r1?", "'1' is not allowed")]:
        fill_rahul(page)
        fill(page, bad)
        wait_until(page, f"{MSG}.includes({words!r})")
        assert "Nothing was run" in page.inner_text("#fill-message")
        assert page.get_by_label("Pattern", exact=True).input_value() == bad
        assert page.get_attribute("#pattern", "aria-invalid") == "true"
        assert shown(page) == CLEARED, bad
        assert "rahul" not in page.inner_text("#infill-widget")
    # a good pattern afterwards fills as before
    fill_rahul(page)


def test_a_rejected_answer_pattern_clears_the_earlier_answers(ready):
    page = ready.page
    page.click("#train-translator")
    wait_until(page, "/\\d+\\s*\\/\\s*30/.test(document.querySelector('#accuracy').innerText)",
               timeout=90_000)
    page.get_by_label("Word for the translator").fill("water")
    page.get_by_label("Answer pattern").fill("p????")
    page.get_by_role("button", name="Fill in the answer").click()
    wait_until(page, "document.querySelectorAll('#fill-model li').length === 5")
    assert "paani" in page.inner_text("#fill-fitting")
    too_long = "p??????????"
    page.get_by_label("Answer pattern").fill(too_long)
    page.get_by_role("button", name="Fill in the answer").click()
    wait_until(page, f"{MSG}.includes('Nothing was run')")
    assert page.get_by_label("Answer pattern").input_value() == too_long
    assert page.get_by_label("Word for the translator").input_value() == "water"
    assert page.get_attribute("#answer-pattern", "aria-invalid") == "true"
    assert shown(page) == CLEARED
    assert "paani" not in page.inner_text("#infill-widget .fill-layout")


def test_the_pattern_help_follows_the_data_in_use(ready):
    page = ready.page
    assert "at most seven characters" in help_text(page)
    builtin = [p for p, _ in examples(page)]
    assert builtin == ["r???l", "??vya", "a?i", "?????"]
    page.fill("#names-data", "\n".join(NINE))
    page.click("#use-names")
    wait_until(page, "document.querySelector('#data-message').dataset.kind === 'ok'")
    wait_until(page, "document.querySelector('#pattern-help').innerText.includes('at most nine')")
    assert "seven" not in help_text(page)
    own = examples(page)
    assert len(own) >= 2
    for pattern, label in own:
        assert label == pattern
        assert len(pattern) <= 9
        assert any(fits(n, pattern) for n in NINE), pattern
    # each example fills in: no error, and the exact posterior has answers
    train_names(page)
    for pattern, _ in own:
        page.locator(f'#pattern-help [data-pattern="{pattern}"]').click()
        wait_until(page, f"{MSG}.includes({pattern!r})"
                         " && document.querySelectorAll('#fill-model li').length === 5")
        assert page.get_by_label("Pattern", exact=True).input_value() == pattern
        assert page.locator("#fill-oracle li").count() == 5
        assert "training name" in page.inner_text("#fill-fitting")
    # a ten-character pattern is refused with the new limit
    fill(page, "?" * 10)
    wait_until(page, f"{MSG}.includes('has 10 characters; at most 9')")
    # back to the built-in names: the built-in help again
    page.click("#builtin-names")
    wait_until(page, "document.querySelector('#pattern-help').innerText.includes('at most seven')")
    assert [p for p, _ in examples(page)] == builtin


def test_reset_takes_the_generated_names_caption_with_the_names(ready):
    page = ready.page
    train_names(page, epochs="100")
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#samples li').length > 0", timeout=20_000)
    wait_until(page, "/steps, temperature/.test(document.querySelector('#sample-message').innerText)")
    page.click("#reset")
    wait_until(page, "document.querySelectorAll('#samples li').length === 0")
    wait_until(page, "document.querySelector('#sample-message').innerText.startsWith("
                     "'Train a names model first')")
    assert "temperature" not in page.inner_text("#sample-message")


def test_data_with_one_name_says_its_floor_is_zero_instead_of_a_ratio(ready):
    page = ready.page
    page.fill("#names-data", "anna\nanna")
    page.click("#use-names")
    wait_until(page, "/2 names/.test(document.querySelector('#data-message').innerText)")
    train_names(page, epochs="100")
    wait_until(page, "/the floor is/.test(document.querySelector('#eval-readout').innerText)",
               timeout=60_000)
    readout = page.inner_text("#eval-readout")
    assert "the floor is 0 (the data leaves nothing to guess)" in readout, readout
    assert "× the floor" not in readout and "–" not in readout, readout
