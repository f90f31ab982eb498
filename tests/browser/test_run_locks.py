"""What a training run reads stays as it was at the start until the run ends: the recipe
controls are disabled during a run and come back with the reader's values, so the
controls and the address describe the model that was trained; and the bits-per-character
chart shows every live estimate as a dot, a single one included."""
import json

from conftest import open_page, type_setting, wait_ready, wait_until

TRAIN_DONE = "document.querySelector('#stop').disabled && !document.querySelector('#train').disabled"
SETTINGS = ["recipe", "epochs", "lr", "seed", "weighting"]
DISABLED = ("(() => { const ids = " + json.dumps(SETTINGS) + "; return Object.fromEntries("
            "ids.map((id) => [id, document.getElementById(id).disabled])); })()")


def disabled(page):
    return page.evaluate(DISABLED)


def shown(page):
    return {"recipe": page.input_value("#recipe"), "epochs": page.input_value("#epochs"),
            "lr": page.inner_text("#lr-value"), "seed": page.input_value("#seed"),
            "weighting": page.input_value("#weighting")}


def test_recipe_controls_are_locked_during_a_run_and_keep_their_values(browser, server):
    w = open_page(browser, server, "#recipe=seed&lr=0.01&epochs=1000")
    try:
        page = w.page
        wait_ready(page)
        before, address = shown(page), page.evaluate("location.hash")
        assert before["recipe"] == "seed" and before["epochs"] == "1000"
        assert disabled(page) == {k: False for k in SETTINGS}
        # Train pressed while the seed field has the focus: the field is disabled under it
        page.focus("#seed")
        page.evaluate("document.getElementById('train').click()")
        wait_until(page, "!document.querySelector('#stop').disabled")
        assert disabled(page) == {k: True for k in SETTINGS}
        assert not page.locator("#more").is_enabled()
        # the page says why, beside them
        assert "locked until it ends" in page.inner_text("#settings-locked")
        page.click("#stop")
        wait_until(page, TRAIN_DONE, timeout=30_000)
        assert disabled(page) == {k: False for k in SETTINGS}
        assert shown(page) == before
        assert page.evaluate("location.hash") == address
        # +500 more reads the learning rate: locked for its run too
        page.click("#more")
        wait_until(page, "!document.querySelector('#stop').disabled")
        assert disabled(page) == {k: True for k in SETTINGS}
        page.click("#stop")
        wait_until(page, TRAIN_DONE, timeout=30_000)
        assert disabled(page) == {k: False for k in SETTINGS}
        # the reader's settings work again once the run is over
        type_setting(page, "seed", "7")
        w.check_clean()
    finally:
        w.context.close()


def test_a_default_run_unlocks_when_it_ends_and_shows_its_estimate_as_a_dot(ready):
    page = ready.page
    page.select_option("#recipe", "default")
    page.select_option("#epochs", "200")
    page.click("#train")
    # read in one go, the moment the run shows as running (a default run is short)
    during = wait_until(page, "!document.querySelector('#stop').disabled && " + DISABLED)
    assert during == {k: True for k in SETTINGS}
    wait_until(page, TRAIN_DONE, timeout=120_000)
    assert disabled(page) == {k: False for k in SETTINGS}
    assert page.input_value("#epochs") == "200" and page.input_value("#recipe") == "default"
    wait_until(page, "document.querySelectorAll('#elbo-chart circle.precise').length === 1",
               timeout=60_000)
    live = page.evaluate("document.querySelectorAll("
                         "'#elbo-chart .whisker').length")
    assert live >= 1  # at least one live estimate was taken
    dots = page.locator("#elbo-chart circle.estimate")
    assert dots.count() == live
    box = dots.first.bounding_box()
    assert box and box["width"] >= 4 and box["height"] >= 4  # a dot, not a hairline
    fill = dots.first.evaluate("(c) => getComputedStyle(c).fill")
    assert fill not in ("none", "rgba(0, 0, 0, 0)"), fill


def test_the_seed_is_locked_while_the_translator_trains(ready):
    page = ready.page
    page.click("#train-translator")
    wait_until(page, "document.querySelector('#seed').disabled", timeout=30_000)
    assert not page.locator("#recipe").is_disabled()  # the names recipe is not the translator's
    assert "the random seed also while the translator trains" in page.inner_text(
        "#settings-locked")
    wait_until(page, "!document.querySelector('#seed').disabled", timeout=180_000)


TR_RUNNING = "!document.querySelector('#tr-stop').disabled"
TR_DONE = ("document.querySelector('#tr-stop').disabled"
           " && !document.querySelector('#train-translator').disabled")


def test_the_translator_has_a_stop_and_never_restarts_a_run_silently(ready):
    page = ready.page
    assert page.is_disabled("#tr-stop")
    page.select_option("#tr-epochs", "500")
    page.focus("#train-translator")
    page.keyboard.press("Enter")
    wait_until(page, TR_RUNNING, timeout=30_000)
    # while it trains: Train translator reads "Training…" and waits; the epochs it read stay
    assert page.is_disabled("#train-translator") and page.is_disabled("#tr-epochs")
    assert page.is_disabled("#tr-more")
    assert page.inner_text("#train-translator") == "Training…"
    wait_until(page, "document.activeElement.id === 'tr-stop'", timeout=5_000)  # not <body>
    wait_until(page, "/epoch [1-9]\\d* \\/ 500/.test(document.querySelector('#translator-progress')"
                     ".textContent)", timeout=30_000)
    page.keyboard.press("Enter")  # Stop, from the keyboard
    wait_until(page, TR_DONE, timeout=30_000)
    msg = page.inner_text("#translator-message")
    stopped = int(msg.split("Stopped at epoch ")[1].split(".")[0])
    assert 0 < stopped < 500 and msg.endswith("+500 more goes on from here."), msg
    assert page.inner_text("#train-translator") == "Train translator"
    assert not page.is_disabled("#tr-epochs") and page.input_value("#tr-epochs") == "500"
    wait_until(page, "document.activeElement.id === 'train-translator'", timeout=5_000)
    wait_until(page, "/\\d+ \\/ 30 exact/.test(document.querySelector('#accuracy').textContent)",
               timeout=30_000)  # the stopped model is measured, and can go on
    page.click("#tr-more")
    wait_until(page, TR_RUNNING, timeout=30_000)
    wait_until(page, TR_DONE, timeout=120_000)
    assert f"{stopped + 500} in all" in page.inner_text("#translator-message")
