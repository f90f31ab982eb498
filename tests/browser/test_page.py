"""The article as a reader uses it: every section's widgets, through the page's controls."""
import json
import pathlib
import re

import pytest
from conftest import Watched, open_page, type_setting, wait_ready, wait_until

TRAIN_DONE = "document.querySelector('#stop').disabled && !document.querySelector('#train').disabled"


def train_names(page, epochs="200", recipe="default"):
    page.select_option("#recipe", recipe)
    page.select_option("#epochs", epochs)
    page.click("#train")
    wait_until(page, "!document.querySelector('#stop').disabled")
    wait_until(page, TRAIN_DONE, timeout=60_000)


def test_all_seven_sections_and_the_formulas_are_there(watched):
    page = watched.page
    titles = page.locator("h2").all_inner_texts()
    assert len(titles) >= 7
    text = page.inner_text("body")
    for words in ["one token at a time", "corruption", "model", "train", "denoise",
                  "what we built", "answers"]:
        assert words.lower() in text.lower(), words
    page.wait_for_selector(".katex", timeout=10_000)  # the math is rendered, self-hosted
    assert page.locator(".katex").count() >= 2


def test_corruption_slider_works_before_python_is_ready(browser, server):
    context = browser.new_context(service_workers="block")
    held = []
    context.route("**/pyodide.asm.wasm", lambda route: held.append(route))  # hold the runtime
    w = Watched(context, server.origin)
    try:
        page = w.page
        page.goto(server.url)
        assert page.get_attribute("#status", "data-state") == "loading"
        slider = page.get_by_label("Noise level t")
        slider.fill("1")
        masked = re.sub(r"\s", "", page.inner_text("#corruption-names"))
        assert masked and set(masked) == {"?"}
        slider.fill("0")
        clean = page.inner_text("#corruption-names")
        assert "?" not in clean and re.search("[a-z]{3}", clean)
        page.click("#resample-mask")
        assert re.search(r"\d", page.inner_text("#mask-count"))
        assert "aarav" in page.inner_text("body") and "zara" in page.inner_text("body")
        assert page.get_attribute("#status", "data-state") == "loading"
        for route in held:
            route.continue_()
        wait_ready(page)
        w.check_clean()
    finally:
        context.close()


def test_model_diagram_reads_the_real_config(ready):
    # the opening paragraph has the figure as text; the diagram shows "…" until Python answers
    wait_until(ready.page, "document.querySelector('#model-diagram [data-k=n_params]').textContent === '27,466'")


def test_train_draws_the_floor_and_never_nan(ready):
    page = ready.page
    train_names(page)
    # the readouts are written on the frame after the last progress
    wait_until(page, "document.querySelector('#epoch-readout').innerText.trim().startsWith('200')")
    loss = float(re.search(r"\d+\.\d+", page.inner_text("#loss-readout")).group())
    assert 0.3 < loss < 1.5
    assert float(re.search(r"[\d,]+", page.inner_text("#sps-readout")).group().replace(",", "")) > 0
    svg = page.inner_html("#loss-chart")
    assert "floor" in svg.lower() or "best possible" in page.inner_text("body").lower()
    assert "nan" not in page.inner_text("body").lower().split()
    wait_until(page, "document.querySelector('#eval-readout').innerText.includes('×')",
                           timeout=30_000)
    assert page.locator("#by-t-chart").inner_html()
    assert page.locator("#prediction").inner_text().strip()


def test_generate_fifteen_names_with_a_timeline(ready):
    page = ready.page
    assert page.is_disabled("#generate")
    train_names(page)
    page.fill("#steps", "8")
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#samples li').length === 15")
    samples = page.locator("#samples li").all_inner_texts()
    for s in samples:
        assert "?" not in s and ("new" in s or "training set" in s)
    assert re.search(r"\d+\s*%|\d+\s*/\s*15", page.inner_text("#novelty"))
    rows = page.locator("#timeline [data-step]").count()
    assert rows == 9  # the all-mask start, then one row per step


def test_translator_learns_all_thirty_and_translates_free_text(ready):
    page = ready.page
    page.get_by_label("English word").fill("")  # nothing to translate on its own after training
    page.click("#train-translator")
    wait_until(page, "/30\\s*(\\/|of)\\s*30/.test(document.querySelector('#accuracy').innerText)",
                           timeout=60_000)
    assert page.inner_text("#translation") == ""
    page.get_by_label("English word").fill("  Hello ")
    page.click("#translate")
    wait_until(page, "document.querySelector('#translation').innerText.startsWith('hello → namaste')")
    assert page.locator("#tr-timeline [data-step]").count() > 1


def test_url_hash_sets_the_controls(browser, server):
    w = open_page(browser, server, "#steps=7&temperature=1.3&order=confident&recipe=seed")
    try:
        page = w.page
        assert page.input_value("#steps") == "7"
        assert float(page.input_value("#temperature")) == pytest.approx(1.3)
        assert page.input_value("#order") == "confident"
        assert page.input_value("#recipe") == "seed"
        type_setting(page, "steps", "12")
        w.check_clean()
    finally:
        w.context.close()


def test_bad_hash_values_are_ignored(browser, server):
    w = open_page(browser, server, "#steps=999&temperature=abc&order=%3Cimg%3E&lr=-1")
    try:
        page = w.page
        assert 4 <= int(page.input_value("#steps")) <= 20
        assert page.input_value("#order") in ("random", "confident")
        assert page.locator("img").count() == 0
        wait_ready(page)
        w.check_clean()
    finally:
        w.context.close()


def test_a_trained_model_survives_a_reload(ready):
    page = ready.page
    train_names(page)
    # the page measures the model (the evaluated loss, then the precise ELBO), then keeps it
    wait_until(page, "performance.getEntriesByName('model-kept:names').length > 0", timeout=60_000)
    assert "Negative ELBO after training" in page.text_content("#elbo-readout")
    page.reload()
    wait_ready(page)
    wait_until(page, "!document.querySelector('#generate').disabled", timeout=20_000)


def test_download_then_load_the_model(ready, tmp_path):
    page = ready.page
    train_names(page)
    with page.expect_download() as dl:
        page.click("#download-model")
    path = tmp_path / "model.json"
    dl.value.save_as(path)
    obj = json.loads(path.read_text())
    assert obj["version"] == 1 and obj["config"]["seq_len"] == 7
    page.click("#reset")
    page.set_input_files("#load-model", str(path))
    wait_until(page, "!document.querySelector('#generate').disabled", timeout=20_000)
    message = page.text_content("#model-message")
    assert message.startswith("Loaded a names model trained for 200 epochs on 40 names."), message
    assert "β1" not in message  # the default's own recipe: nothing to say


def test_a_model_saved_with_adams_momentum_says_so_when_loaded(ready, tmp_path):
    """Models saved before the default dropped momentum have no beta1 in their recipe,
    which means Adam's 0.9: "+500 more" goes on with it, and the page says so."""
    page = ready.page
    train_names(page, epochs="100")
    with page.expect_download() as dl:
        page.click("#download-model")
    obj = json.loads(pathlib.Path(dl.value.path()).read_text())
    assert obj["recipe"]["beta1"] == 0.0
    del obj["recipe"]["beta1"]  # as an older file has it
    path = tmp_path / "older.json"
    path.write_text(json.dumps(obj))
    page.set_input_files("#load-model", str(path))
    wait_until(page, "document.querySelector('#model-message').textContent.startsWith('Loaded')",
               timeout=20_000)
    assert page.text_content("#model-message") == (
        "Loaded a names model trained for 100 epochs on 40 names. It was trained with Adam's "
        "momentum β1 = 0.9, where the page's default recipe has β1 = 0; +500 more goes on "
        "with the model's own.")
    # the rule itself: Adam only, both momenta known, and different
    cases = page.evaluate("""import('./js/page.js').then(({ momentumNote: f }) => {
      const d = { default: { optimizer: 'adam', beta1: 0 } };
      return [f({ optimizer: 'adam', beta1: 0.9 }, d), f({ optimizer: 'adam', beta1: 0 }, d),
              f({ optimizer: 'sgd', beta1: 0.9 }, d), f({ optimizer: 'adam' }, d),
              f({ optimizer: 'adam', beta1: 0.9 }, { default: { lr: 0.03 } }), f(null, d)];
    })""")
    assert cases[0].startswith(" It was trained with Adam's momentum β1 = 0.9,")
    assert cases[1:] == ["", "", "", "", ""]
    ready.check_clean()


def test_controls_have_visible_labels_and_work_from_the_keyboard(ready):
    page = ready.page
    for name in ["Train", "+500 more", "Stop", "Reset", "Generate", "Train translator",
                 "Translate"]:
        assert page.get_by_role("button", name=name, exact=True).count() == 1, name
    for label in ["Noise level t", "Learning rate", "Recipe", "Steps", "Temperature",
                  "Reveal order", "English word"]:
        assert page.get_by_label(label, exact=False).count() >= 1, label
    page.select_option("#epochs", "200")
    page.focus("#train")
    page.keyboard.press("Enter")
    wait_until(page, "!document.querySelector('#stop').disabled")
    page.focus("#stop")
    page.keyboard.press("Enter")
    wait_until(page, TRAIN_DONE)


@pytest.mark.parametrize("width, scheme", [(360, "light"), (1280, "dark")])
def test_layout_fits_small_and_wide_screens(browser, server, width, scheme):
    w = open_page(browser, server, viewport={"width": width, "height": 800}, color_scheme=scheme)
    try:
        page = w.page
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        wait_ready(page)
        w.check_clean()
    finally:
        w.context.close()
