"""What a reader trying to break the page found, and what it does now.

Back and Forward never reset the settings; a link opened during a run cannot change the
settings the run reads; a link's bad part is ignored alone, and its note stands where
the link takes the reader; a late Reset reply never overwrites a new run's message; a
run stopped by the other task's Train says why; a model file's own data is named beside
the data box, and section IV no longer speaks of the model the file replaced; nothing
the reader pasted is echoed whole.
"""
from conftest import open_page, wait_ready, wait_until
from test_page import train_names

from diffusion_core.checkpoint import Checkpoint, dumps
from diffusion_core.dataset import names_dataset
from diffusion_core.recipe import get_recipe
from diffusion_core.train import Trainer

RUNNING = "!document.querySelector('#stop').disabled"
TRAIN_DONE = "document.querySelector('#stop').disabled && !document.querySelector('#train').disabled"


def test_back_goes_to_the_earlier_place_but_keeps_the_settings(watched):
    page = watched.page
    page.fill("#temperature", "1.3")
    wait_until(page, "location.hash.includes('temperature=1.3')")
    page.locator(".toc").get_by_role("link", name="The model", exact=True).click()
    wait_until(page, "location.hash.startsWith('#model&')")
    page.fill("#temperature", "0.7")
    page.fill("#steps", "14")
    wait_until(page, "location.hash.includes('steps=14')")
    page.go_back()
    wait_until(page, "!location.hash.startsWith('#model')")
    page.wait_for_timeout(300)  # the hashchange after popstate has run
    assert page.input_value("#temperature") == "0.7" and page.input_value("#steps") == "14"
    assert "temperature=0.7" in page.evaluate("location.hash")
    page.go_forward()
    wait_until(page, "location.hash.startsWith('#model&')")
    assert page.input_value("#temperature") == "0.7"
    # a new address still sets what it names
    page.evaluate("location.hash = '#temperature=1.1'")
    wait_until(page, "document.querySelector('#temperature').value === '1.1'")
    assert page.is_hidden("#hash-note")


def test_a_bad_escape_spoils_only_its_own_part_and_the_note_stands_where_the_link_goes(browser, server):
    w = open_page(browser, server, "#train-section&lr=0.1&temperature=%E0%A4%A&" + "x" * 300 + "=1",
                  viewport={"width": 360, "height": 800})
    try:
        page = w.page
        wait_until(page, "!document.querySelector('#hash-note').hidden")
        assert page.inner_text("#lr-value").startswith("0.1")
        note = page.inner_text("#hash-note")
        assert "temperature=%E0%A4%A (could not be read: a % must start a valid escape" in note, note
        assert "x" * 39 + "…" in note and "x" * 41 not in note, note
        # the note opens the section the link scrolls to, and wraps on a phone
        assert page.evaluate("document.getElementById('hash-note').closest('section').id") == "train-section"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # a later link with no place in the page: its note stands at the top again
        page.evaluate("location.hash = '#lr=zzz'")
        wait_until(page, "document.querySelector('#hash-note').textContent.includes('lr=zzz')")
        assert page.evaluate("document.getElementById('hash-note').closest('section')") is None
        w.check_clean()
    finally:
        w.context.close()


def test_the_rate_label_follows_a_recipe_set_after_it(browser, server):
    for hash_ in ["#lr=0.1&recipe=seed", "#recipe=seed&lr=0.1"]:
        w = open_page(browser, server, hash_)
        try:
            assert w.page.inner_text("#lr-value") == "0.1, constant", hash_
            w.check_clean()
        finally:
            w.context.close()


def test_a_link_opened_during_a_run_cannot_change_what_the_run_reads(ready):
    page = ready.page
    page.select_option("#epochs", "1000")
    page.click("#train")
    wait_until(page, RUNNING)
    page.evaluate("location.hash = '#lr=0.1&epochs=100&temperature=1.2'")
    wait_until(page, "!document.querySelector('#hash-note').hidden")
    note = page.inner_text("#hash-note")
    assert "lr=0.1 (is locked while the names model trains; press Stop" in note, note
    assert "epochs=100 (is locked" in note, note
    assert page.input_value("#epochs") == "1000" and page.inner_text("#lr-value").startswith("0.03")
    assert page.input_value("#temperature") == "1.2"  # not read by the run: it is set
    assert "epochs" not in page.evaluate("location.hash").replace("epochs=1000", "")
    page.click("#stop")
    wait_until(page, TRAIN_DONE)
    page.evaluate("location.hash = '#lr=0.1&epochs=100'")
    wait_until(page, "document.querySelector('#epochs').value === '100'")
    assert page.inner_text("#lr-value").startswith("0.1")


def test_a_late_reset_reply_leaves_the_new_runs_message(ready):
    page = ready.page
    page.select_option("#epochs", "1000")
    # Reset then Train in one task: Train starts before Reset's reply comes back
    page.evaluate("document.getElementById('reset').click(); document.getElementById('train').click()")
    wait_until(page, RUNNING)
    page.wait_for_timeout(500)
    assert page.inner_text("#train-message").startswith("Training: 1000 epochs"), page.inner_text("#train-message")
    page.click("#stop")
    wait_until(page, TRAIN_DONE)


def test_a_run_stopped_by_the_other_models_train_says_why(ready):
    page = ready.page
    page.select_option("#tr-epochs", "500")
    page.click("#train-translator")
    wait_until(page, "document.querySelector('#translator-message').textContent.startsWith('Training the translator')")
    page.click("#train")
    wait_until(page, "/^Stopped at epoch \\d+: the names model started training/"
                     ".test(document.querySelector('#translator-message').textContent)", timeout=20_000)
    wait_until(page, TRAIN_DONE, timeout=60_000)


def test_a_model_file_names_its_own_data_and_replaces_the_last_runs_message(ready, tmp_path):
    page = ready.page
    train_names(page, epochs="100")
    assert page.inner_text("#train-message").startswith("Done: 100 epochs")
    data = names_dataset("zoe\nzed\nmax")
    tr = Trainer(data, get_recipe("names", "default"), seed=0)
    tr.run(5)
    path = tmp_path / "zoe.json"
    path.write_text(dumps(Checkpoint(tr.params, data, tr.recipe, 0, list(tr.history))))
    page.set_input_files("#load-model", str(path))
    wait_until(page, "document.querySelector('#model-message').textContent.startsWith('Loaded')", timeout=20_000)
    assert page.inner_text("#train-message").startswith(
        "Loaded a names model from a file (5 epochs on 3 names). Train starts over")
    message = page.inner_text("#data-message")
    assert message == ("The loaded model brought its own 3 names (zoe, zed, max), now in use. "
                       "Your text stays in the box: press Use this data to train on it instead."), message
    assert page.input_value("#names-data").startswith("aarav")  # the reader's box is untouched


def test_a_pasted_paragraph_is_not_echoed_whole(browser, server):
    w = open_page(browser, server, viewport={"width": 360, "height": 800})
    try:
        page = w.page
        wait_ready(page)
        page.fill("#names-data", "aarav\n" + "a" * 150_000)
        page.click("#use-names")
        wait_until(page, "document.querySelector('#data-message').dataset.kind === 'error'")
        message = page.inner_text("#data-message")
        assert len(message) < 200 and "aaa…'" in message, message[:300]
        assert page.input_value("#names-data").endswith("a" * 1000)  # the text is kept
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        w.check_clean()
    finally:
        w.context.close()


def test_the_keyboard_keeps_its_place_when_a_button_disables_itself(ready):
    page = ready.page
    page.select_option("#epochs", "1000")
    page.focus("#train")
    page.keyboard.press("Enter")
    wait_until(page, RUNNING)
    wait_until(page, "document.activeElement.id === 'stop'", timeout=5_000)  # not <body>
    page.keyboard.press("Enter")  # Stop, from the keyboard
    wait_until(page, TRAIN_DONE)
    wait_until(page, "document.activeElement.id === 'train'", timeout=5_000)
    page.focus("#generate")
    page.keyboard.press("Enter")  # disabled while it samples, then enabled again
    wait_until(page, "document.querySelector('#samples li') !== null", timeout=20_000)
    wait_until(page, "!document.querySelector('#generate').disabled")
    wait_until(page, "document.activeElement.id === 'generate'", timeout=5_000)


def test_the_bits_per_character_chart_keeps_its_text_size_on_a_phone(browser, server):
    w = open_page(browser, server, viewport={"width": 360, "height": 800})
    try:
        page = w.page
        page.locator("#elbo-chart").scroll_into_view_if_needed()
        wait_until(page, "document.querySelector('#elbo-chart').viewBox.baseVal.width < 400")
        # one unit of the viewBox is one CSS pixel: the axis text is drawn at its CSS size
        scale = page.evaluate("(() => { const s = document.querySelector('#elbo-chart');"
                              " return s.getBoundingClientRect().width / s.viewBox.baseVal.width; })()")
        assert abs(scale - 1) < 0.02, scale
        w.check_clean()
    finally:
        w.context.close()


def test_a_random_seed_the_box_cannot_take_is_named_not_dropped_silently(watched):
    page = watched.page
    page.fill("#seed", "7")
    page.dispatch_event("#seed", "change")
    assert page.inner_text("#seed-note") == ""
    page.fill("#seed", "1.5")
    page.dispatch_event("#seed", "change")
    assert page.input_value("#seed") == "7"
    assert page.inner_text("#seed-note") == ("1.5 is not a random seed: use a whole number from 0 to "
                                             "999999. It stays 7.")
    page.fill("#seed", "12")
    page.dispatch_event("#seed", "change")
    assert page.inner_text("#seed-note") == "" and "seed=12" in page.evaluate("location.hash")
    # typing the kept value again answers the note too (leaving the box fires no change then)
    page.fill("#seed", "-5")
    page.dispatch_event("#seed", "change")
    assert page.inner_text("#seed-note").startswith("-5 is not a random seed")
    assert page.input_value("#seed") == "12"
    page.fill("#seed", "12")  # input events only: the value is the one the box held
    assert page.inner_text("#seed-note") == ""


def test_giving_the_focus_back_never_scrolls_the_page(ready):
    page = ready.page
    page.select_option("#epochs", "1000")
    page.click("#train")  # a mouse click focuses the button too
    wait_until(page, RUNNING)
    wait_until(page, "document.activeElement.id === 'stop'", timeout=5_000)
    page.evaluate("document.getElementById('samplers').scrollIntoView()")
    # what the reader is looking at stays put (scrollY itself moves with scroll anchoring
    # as the readouts above grow)
    top = "document.getElementById('samplers').getBoundingClientRect().top"
    y = page.evaluate(top)
    page.evaluate("document.getElementById('stop').click()")  # the run ends out of view
    wait_until(page, TRAIN_DONE)
    wait_until(page, "document.activeElement.id === 'train'", timeout=5_000)
    page.wait_for_timeout(300)
    assert abs(page.evaluate(top) - y) < 2, (y, page.evaluate(top))
