"""The page's script tells the truth about the data and model in use (#12).

Every figure the article quotes follows the reader's data; the translator has
its epochs, +500 more and Reset; a word that cannot be translated clears the
last answer, and the length limit shows before the reader breaks it; one
corrupted name is followed through the model; the sampler says how much
probability its word rules removed; a link's unusable settings keep the values
in use.
"""
import re

from conftest import open_page, wait_until

TRAIN_DONE = "document.querySelector('#stop').disabled && !document.querySelector('#train').disabled"
TR_DONE = ("!document.querySelector('#tr-more').disabled"
           " && /\\d+\\s*\\/\\s*\\d+/.test(document.querySelector('#accuracy').innerText)")
SIXTEEN = ["amar", "bela", "chen", "dara", "emil", "faye", "gita", "hugo",
           "iris", "jana", "kofi", "lena", "milo", "nora", "omar", "pia"]
PROSE = """(() => {
  const main = document.getElementById('article').cloneNode(true);
  main.querySelectorAll('.widget, button, #names-list, #pairs-list, #references, .data-box')
      .forEach(e => e.remove());
  return main.innerText;
})()"""


def fills(page, key):
    return page.evaluate(f"""[...document.querySelectorAll('[data-fill="{key}"]')]
        .map(e => e.textContent)""")


def test_every_quoted_figure_follows_the_data_in_use(ready):
    page = ready.page
    wait_until(page, "document.querySelector('[data-fill=floor]').textContent !== ''")
    builtin_floor = fills(page, "floor")[0]
    # the letters a pattern may use, and the translator's, are the data's (no q, x; no z)
    assert fills(page, "letters") == ["a, b, d, e, h–p, r–v, y, z"]
    assert "from those the pairs use: a–p, r–w, y." in page.inner_text("#word-hint")
    assert fills(page, "n-names") and set(fills(page, "n-names")) == {"forty"}
    page.fill("#names-data", "\n".join(SIXTEEN))
    page.click("#use-names")
    wait_until(page, "document.querySelector('#data-message').dataset.kind === 'ok'")
    wait_until(page, "document.querySelector('[data-fill=\"n-names\"]').textContent === 'sixteen'")
    assert set(fills(page, "n-names")) == {"sixteen"}
    assert "Use your own data" in fills(page, "names-origin")[0]
    floor = fills(page, "floor")[0]
    assert re.fullmatch(r"\d\.\d{3}", floor) and floor != builtin_floor, (floor, builtin_floor)
    letters = set("".join(SIXTEEN))
    assert fills(page, "n-letters") == [str(len(letters))]
    assert fills(page, "letters") == ["a–p, r–u, y"]
    assert fills(page, "V") == [str(len(letters) + 2)]  # the letters, the pad and the mask
    assert fills(page, "default-batch") == ["on all sixteen names at once, one step per epoch"]
    # no model yet: section IV says so, and the bits-per-character chart's line is the new
    # data's entropy, log2(16) / 4 = 1 bit per character, before any training
    assert "New data in use" in page.inner_text("#train-message")
    wait_until(page, "document.querySelector('#elbo-chart').textContent.includes('entropy of the data 1.000')")
    prose = page.evaluate(PROSE).replace("the built-in forty", "")
    for stale in ["forty", "40 names", builtin_floor]:
        assert stale not in prose, stale
    assert "sixteen names" in prose and floor in prose

    # pairs where one question has two answers: the translator's floor is no longer zero
    page.fill("#pairs-data", "cat>billi\ncat>mau\ndog>kutta\nsun>suraj")
    page.click("#use-pairs")
    wait_until(page, "document.querySelector('#pairs-message').dataset.kind === 'ok'")
    wait_until(page, "document.querySelector('[data-fill=\"n-pairs\"]').textContent === 'four'")
    assert set(fills(page, "n-pairs")) == {"four"}
    assert fills(page, "tr-floor")[0] != "zero" and "nats per position" in fills(page, "tr-floor")[0]
    assert "one of these questions has more than one answer" in fills(page, "tr-floor-why")[0]
    assert page.inner_text("#word-hint") == ("At most 3 letters (the longest question it was "
                                             "trained on), from those the pairs use: a–d, g, i–o, r–u.")
    page.click("#builtin-pairs")
    wait_until(page, "document.querySelector('[data-fill=\"tr-floor\"]').textContent === 'zero'")
    assert "exactly one answer" in fills(page, "tr-floor-why")[0]
    assert "At most 6 letters" in page.inner_text("#word-hint")


def test_more_data_than_forty_is_still_one_whole_batch(ready):
    """The default recipes take the whole dataset in one step (batch size 0, recipe.py),
    whatever its size: the text must not speak of batches of 40."""
    page = ready.page
    letters = "abcdefghij"
    names = [a + b + "na" for a in letters for b in letters[:6]]  # 60 distinct names
    page.fill("#names-data", "\n".join(names))
    page.click("#use-names")
    wait_until(page, "document.querySelector('[data-fill=\"n-names\"]').textContent === 'sixty'")
    assert fills(page, "default-batch") == ["on all sixty names at once, one step per epoch"]
    pairs = [f"{a}{b}o>{b}{a}i" for a in letters for b in letters[:5]]  # 50 pairs
    page.fill("#pairs-data", "\n".join(pairs))
    page.click("#use-pairs")
    wait_until(page, "document.querySelector('[data-fill=\"n-pairs\"]').textContent === 'fifty'")
    page.select_option("#tr-epochs", "200")
    page.click("#train-translator")
    wait_until(page, "document.querySelector('#translator-message').innerText.includes('200 epochs')")
    message = page.inner_text("#translator-message")
    assert "Adam on all pairs at once" in message and "batches" not in message, message


def test_translator_controls_and_no_stale_answer(ready):
    page = ready.page
    word = page.get_by_label("English word")
    assert "At most 6 letters" in page.inner_text("#word-hint")
    assert "word-hint" in word.get_attribute("aria-describedby")
    assert page.is_disabled("#tr-more") and page.is_enabled("#tr-reset") and page.is_enabled("#tr-epochs")
    page.select_option("#tr-epochs", "200")
    page.click("#train-translator")
    wait_until(page, "document.querySelector('#translator-message').innerText.includes('200 epochs')")
    wait_until(page, TR_DONE, timeout=120_000)
    assert "epoch 200" in page.inner_text("#translator-progress")
    word.fill("water")
    page.click("#translate")
    wait_until(page, "document.querySelector('#translation').innerText.includes('water')")
    assert page.locator("#tr-timeline [data-step]").count() > 1
    # done: the message keeps what it says of training, not the instruction already followed
    assert "Type a word" not in page.inner_text("#translator-message")
    assert "200 epochs" in page.inner_text("#translator-message")
    for bad, says in [("", "empty"), ("x" * 12, "at most 6")]:
        word.fill(bad)
        page.click("#translate")
        wait_until(page, "document.querySelector('#translator-message').dataset.kind === 'error'")
        message = page.inner_text("#translator-message")
        assert says in message and (message[0].isupper() or message[0] == "'"), message
        assert message.endswith(". Nothing was run."), message
        assert page.inner_text("#translation") == "", bad
        assert page.locator("#tr-timeline [data-step]").count() == 0, bad
        assert word.get_attribute("aria-invalid") == "true"
        assert word.input_value() == bad  # what the reader typed stays
        word.fill("water")
        page.click("#translate")
        wait_until(page, "document.querySelector('#translation').innerText.includes('water')")
    # +500 more goes on from epoch 200
    page.click("#tr-more")
    wait_until(page, "document.querySelector('#translator-message').innerText.startsWith('Going on for 500 more')")
    assert page.is_disabled("#tr-more")  # no second run while this one goes
    wait_until(page, TR_DONE + " && document.querySelector('#translator-message').innerText.includes('in all')",
               timeout=180_000)
    assert "700 in all" in page.inner_text("#translator-message")
    assert "epoch 700" in page.inner_text("#translator-progress")
    # Reset drops the translator, not the data. The run ended by translating the word in
    # the box (water); that answer may still be on its way. The worker answers in order, so
    # it arrives before Reset's, and it must be dropped, not drawn for a model that is gone.
    page.click("#tr-reset")
    wait_until(page, "document.querySelector('#translator-message').innerText.startsWith('Reset')")
    assert page.is_disabled("#tr-more")
    assert page.inner_text("#accuracy") == "Accuracy: measured after training."
    assert page.inner_text("#translation") == ""
    word.fill("water")
    page.click("#translate")
    wait_until(page, "document.querySelector('#translator-message').innerText.includes('Train the translator first')")
    assert page.locator("#pairs-list").inner_text().count("→") == 30


def test_a_name_through_the_model_and_the_removed_mass(ready):
    page = ready.page
    assert "After you train a names model" in page.inner_text("#trace")
    assert page.is_disabled("#trace-next")
    denoise = page.inner_text("#denoise")
    assert "rounded up" in denoise and "drawn character" in denoise
    assert "same number of positions is revealed" not in denoise
    page.select_option("#epochs", "200")
    page.click("#train")
    wait_until(page, "!document.querySelector('#stop').disabled")
    wait_until(page, TRAIN_DONE, timeout=120_000)
    wait_until(page, "document.querySelectorAll('#trace table').length === 2", timeout=30_000)
    tables = page.locator("#trace table")
    # x_t is typeset as the rest of the page writes it, not as raw "x_t"
    assert "x_t" not in page.inner_text("#trace .trace-label")
    assert page.locator("#trace .trace-label var sub").inner_text() == "t"
    # on a phone each table's caption wraps inside its scroll box instead of being cut off
    page.set_viewport_size({"width": 360, "height": 800})
    cut = page.evaluate("""[...document.querySelectorAll('#trace .trace-scroll')].map(
      (b) => b.querySelector('caption').getBoundingClientRect().right - b.getBoundingClientRect().right)""")
    assert all(c <= 1 for c in cut), cut
    page.set_viewport_size({"width": 1280, "height": 800})
    embed_rows = tables.nth(0).locator("tbody tr")
    assert embed_rows.count() == 7
    numbers = embed_rows.nth(0).locator("td").last.inner_text().split()
    assert len(numbers) == 8 and all(re.fullmatch(r"[−+]\d+\.\d\d", x) for x in numbers), numbers
    hidden = page.inner_text("#trace .trace-hidden")
    m = re.search(r"(\d+) of 128 ReLU units are active", hidden)
    assert m and 0 <= int(m.group(1)) <= 128, hidden
    prob_rows = tables.nth(1).locator("tbody tr")
    assert prob_rows.count() == 7
    for i in range(7):
        ps = [float(x) for x in re.findall(r"\d\.\d\d", prob_rows.nth(i).locator("td").last.inner_text())]
        assert len(ps) == 3 and ps == sorted(ps, reverse=True) and sum(ps) <= 1.02, ps
    before = page.inner_text("#trace")
    page.click("#trace-next")
    wait_until(page, f"document.querySelector('#trace').innerText !== {before!r}")

    page.select_option("#order", "confident")
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#samples li').length === 15")
    removed = page.inner_text("#removed-mass")
    assert re.search(r"Removed by the word rules: (under 0\.1|\d+(\.\d)?)% of the model's probability", removed), removed
    assert "a letter after a pad" in removed

    page.click("#reset")
    wait_until(page, "document.querySelector('#trace').innerText.includes('After you train')")
    assert page.inner_text("#removed-mass") == ""


def test_a_link_note_says_unusable_settings_keep_their_values(browser, server):
    w = open_page(browser, server, "#temperature=9&order=confident")
    try:
        page = w.page
        wait_until(page, "!document.querySelector('#hash-note').hidden")
        note = page.inner_text("#hash-note")
        assert "keep the values already in use" in note and "default" not in note, note
        assert page.input_value("#order") == "confident"
        assert page.input_value("#temperature") == "0.8"
        w.check_clean()
    finally:
        w.context.close()
