"""Bad input, divergence, races, crashes, storage, CSP and integrity, in the built page."""
import json
import re
import shutil

import pytest
from conftest import DIST, Server, Watched, open_page, wait_ready, wait_until
from test_page import TRAIN_DONE, train_names

INJECTIONS = ["'); import js; js.alert(1) #", "</script><img src=x onerror=alert(1)>",
              "{{7*7}}", "${1+1}"]


@pytest.fixture
def no_dialogs(ready):
    dialogs = []
    ready.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield ready
    assert dialogs == []


def _count_elements(page):
    return page.evaluate("document.getElementsByTagName('*').length")


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_in_the_word_box_is_shown_or_refused(no_dialogs, text):
    page = no_dialogs.page
    page.click("#train-translator")
    wait_until(page, "/\\d+\\s*(\\/|of)\\s*30/.test(document.querySelector('#accuracy').innerText)",
                           timeout=60_000)
    before = page.locator("img").count()
    page.fill("#word", text)
    page.click("#translate")
    wait_until(page, "/allowed/.test(document.querySelector('#translator-message').innerText)")
    msg = page.inner_text("#translator-message")
    assert "not allowed" in msg and "a-z" in msg
    assert page.input_value("#word") == text  # the reader's text stays
    assert page.locator("img").count() == before
    assert page.evaluate("window.__pwned === undefined")


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_in_pasted_names_is_refused_and_kept(no_dialogs, text):
    page = no_dialogs.page
    n = _count_elements(page)
    page.fill("#names-data", f"aarav\n{text}\nzara")
    page.click("#use-names")
    wait_until(page, "document.querySelector('#data-message').innerText.includes('Line 2')")
    assert page.input_value("#names-data") == f"aarav\n{text}\nzara"
    assert _count_elements(page) <= n + 5  # a message, not markup from the input
    assert page.locator("img").count() == 0


@pytest.mark.parametrize("text, fragment", [
    ("dev\nsi4", "Line 2: '4' is not allowed"), ("dev\nabcdefghijklmn", "limit is 12"),
    ("dev", "Found 1 entry; at least 2"),
])
def test_bad_names_get_a_message_and_stay_in_the_box(ready, text, fragment):
    page = ready.page
    page.fill("#names-data", text)
    page.click("#use-names")
    wait_until(page, f"document.querySelector('#data-message').innerText.includes({fragment!r})")
    assert page.input_value("#names-data") == text


def use_names(page, text: str) -> str:
    """Use ``text`` as the names; the message once the page has taken it."""
    page.fill("#names-data", text)
    page.click("#use-names")
    wait_until(page, "document.querySelector('#data-message').dataset.kind === 'ok'")
    return page.inner_text("#data-message")


def test_a_name_listed_twice_is_named_in_the_message(ready):
    message = use_names(ready.page, "rahul\nsia\nrahul\nsia\nrahul\ndev")
    assert message.startswith('Using your 6 names ("rahul" is listed 3 times, and 1 other entry'
                              " more than once; each copy counts).")


def test_ten_thousand_pasted_lines_keep_the_page_responsive(ready):
    page = ready.page
    text = "\n".join(f"name{'abcdefghij'[i % 10]}" for i in range(10_000))
    # a paste is one edit; Playwright's fill() would insert the 10,000 lines one by one
    page.evaluate("""t => { const a = document.querySelector('#names-data');
        a.value = t; a.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'})); }""", text)
    page.click("#use-names")
    wait_until(page, "document.querySelector('#data-message').innerText.includes('2000')",
                           timeout=10_000)
    t = page.evaluate("""() => new Promise(r => { const t0 = performance.now();
        requestAnimationFrame(() => r(performance.now() - t0)); })""")
    assert t < 500
    assert len(page.input_value("#names-data")) == len(text)


def test_user_names_train_and_generate(ready):
    page = ready.page
    message = use_names(page, "Anna\nBob\ncleo\n\ndora")
    assert message.startswith("Using your 4 names (capitals read as small letters).")
    train_names(page)
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#samples li').length === 15")
    page.click("#builtin-names")
    wait_until(page, "document.querySelector('#names-list').innerText.includes('aarav')")


@pytest.mark.parametrize("recipe", ["seed", "default"])
def test_a_learning_rate_that_blows_up_stops_with_a_message(ready, recipe):
    page = ready.page
    page.select_option("#recipe", recipe)
    page.evaluate("""() => { const lr = document.querySelector('#lr');
        lr.value = lr.max; lr.dispatchEvent(new Event('input', {bubbles: true}));
        lr.dispatchEvent(new Event('change', {bubbles: true})); }""")
    page.select_option("#epochs", "1000")
    page.click("#train")
    wait_until(page, "/diverged/i.test(document.querySelector('#train-message').innerText)",
                           timeout=60_000)
    assert "lower the learning rate" in page.inner_text("#train-message").lower()
    body = page.inner_text("body")
    assert not re.search(r"\bNaN\b|\bInfinity\b", body)
    assert "NaN" not in page.inner_html("#loss-chart")
    # every part that shows the model says it diverged; none shows the weights that are gone
    wait_until(page, "document.querySelector('#sample-message').innerText.includes('Training diverged')")
    assert "Training diverged" in page.inner_text("#trace")
    assert page.inner_text("#elbo-readout") == "Not measured: training diverged."
    # losses above the chart's top are drawn there, and the chart says so
    history = page.evaluate("window.tinyDiffusion.engine.call('describe', {task: 'names'})")["history"]
    clip = page.locator("#loss-chart .clip-label")
    assert clip.is_visible() == (max(history, default=0) > 10), history
    if clip.is_visible():
        assert "drawn at the top" in clip.text_content()
    page.click("#reset")
    page.select_option("#recipe", "default")
    train_names(page)
    assert "diverged" not in page.inner_text("#train-message").lower()
    assert "diverged" not in page.inner_text("#sample-message").lower()
    assert not page.locator("#loss-chart .clip-label").is_visible()


def test_five_quick_clicks_on_train_start_one_run(ready):
    page = ready.page
    page.evaluate("""() => { const e = window.tinyDiffusion.engine; const orig = e.train.bind(e);
        window.__trains = 0; e.train = (...a) => { window.__trains++; return orig(...a); }; }""")
    page.select_option("#epochs", "1000")
    for _ in range(5):
        page.click("#train", force=True, no_wait_after=True)
    wait_until(page, "!document.querySelector('#stop').disabled")
    page.click("#stop")
    wait_until(page, TRAIN_DONE)
    assert page.evaluate("window.__trains") == 1


def test_stop_then_train_twenty_times(ready):
    page = ready.page
    page.select_option("#epochs", "1000")
    for _ in range(20):
        page.click("#train")
        wait_until(page, "!document.querySelector('#stop').disabled")
        page.click("#stop")
        wait_until(page, TRAIN_DONE)
    assert "error" not in page.inner_text("#train-message").lower()


def test_generate_during_training_uses_the_current_weights(ready):
    page = ready.page
    train_names(page)
    page.select_option("#epochs", "1000")
    page.click("#train")
    wait_until(page, "!document.querySelector('#stop').disabled")
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#samples li').length === 15")
    page.click("#stop")
    wait_until(page, TRAIN_DONE)


def test_a_dead_worker_is_reported_and_restarted_keeping_settings(ready):
    page = ready.page
    page.fill("#names-data", "anna\nbob\ncleo")
    page.fill("#steps", "7")
    page.dispatch_event("#steps", "change")
    page.evaluate("window.tinyDiffusion.engine.worker.terminate()")
    page.wait_for_selector("#status[data-state=failed]", timeout=20_000)
    assert page.is_visible("#retry")
    page.click("#retry")
    wait_ready(page)
    assert page.input_value("#names-data") == "anna\nbob\ncleo"
    assert page.input_value("#steps") == "7"
    train_names(page)


def _model_text(page, tmp_path):
    with page.expect_download() as dl:
        page.click("#download-model")
    path = tmp_path / "good.json"
    dl.value.save_as(path)
    return json.loads(path.read_text())


def _bad_files(good):
    wrong_version = dict(good, version=2)
    bad_shape = json.loads(json.dumps(good))
    bad_shape["weights"]["W2"] = bad_shape["weights"]["W2"][:-1]
    nan = json.dumps(good).replace(str(good["weights"]["emb"][0][0]), "NaN", 1)
    return {"malformed.json": "{not json", "version.json": json.dumps(wrong_version),
            "shape.json": json.dumps(bad_shape), "nan.json": nan}


def test_bad_model_files_are_refused_and_the_model_kept(ready, tmp_path):
    page = ready.page
    train_names(page)
    good = _model_text(page, tmp_path)
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#samples li').length === 15")
    for name, text in _bad_files(good).items():
        path = tmp_path / name
        path.write_text(text)
        page.evaluate("document.querySelector('#model-message').textContent = ''")
        page.set_input_files("#load-model", str(path))
        # the refusal names the file: this file's message, not a late one of the last
        wait_until(page, f"document.querySelector('#model-message').innerText.includes({name!r})")
        assert page.get_attribute("#model-message", "data-kind") == "error", name
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (50 * 1024 * 1024))
    page.set_input_files("#load-model", str(big))
    wait_until(page, "/MB/.test(document.querySelector('#model-message').innerText)")
    assert not page.is_disabled("#generate")  # the current model is still there
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#samples li').length === 15")


def test_page_works_without_storage(browser, server):
    context = browser.new_context(service_workers="block")
    context.add_init_script("""
      Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('denied', 'SecurityError'); }});
      Object.defineProperty(window, 'indexedDB', {get() { throw new DOMException('denied', 'SecurityError'); }});
    """)
    w = Watched(context, server.origin)
    try:
        w.page.goto(server.url)
        wait_ready(w.page)
        train_names(w.page)
        w.check_clean()
    finally:
        context.close()


def test_the_page_declares_a_strict_csp(watched):
    csp = watched.page.get_attribute("meta[http-equiv=Content-Security-Policy]", "content")
    for part in ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'",
                 "connect-src 'self'"]:
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval'" not in csp.replace("wasm-unsafe-eval'", "")
    assert watched.page.locator("script:not([src])").count() == 0


def test_a_corrupted_wheel_fails_the_integrity_check_with_a_message(browser, tmp_path):
    root = tmp_path / "dist"
    shutil.copytree(DIST, root)
    (wheel,) = (root / "pyodide").glob("diffusion_core-*.whl")
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    srv = Server(root=root)
    try:
        w = open_page(browser, srv)
        w.allowed_errors += ["integrity", "Failed to load", "diffusion"]
        w.page.wait_for_selector("#status[data-state=failed]", timeout=60_000)
        assert re.search("integrity|could not", w.page.inner_text("#status"), re.I)
        assert w.page.is_visible("#retry")
        w.context.close()
    finally:
        srv.stop()


def test_two_thousand_names_are_accepted_without_a_false_crash(ready):
    page = ready.page
    letters = "abcdefghijklmnopqrstuvwxyz"
    names = ["".join(letters[(i * 7 + k * 3 + i // 26) % 26] for k in range(3 + i % 9))
             for i in range(2000)]
    page.evaluate("""t => { const a = document.querySelector('#names-data');
        a.value = t; a.dispatchEvent(new InputEvent('input', {bubbles: true})); }""", "\n".join(names))
    page.click("#use-names")
    wait_until(page, "document.querySelector('#data-message').innerText.length > 0", timeout=60_000)
    assert page.get_attribute("#data-message", "data-kind") == "ok", \
        page.inner_text("#data-message")
    assert page.get_attribute("#status", "data-state") == "ready"
    page.click("#train")
    wait_until(page, "!document.querySelector('#stop').disabled")
    wait_until(page, "parseInt(document.querySelector('#epoch-readout').innerText) >= 1")
    page.click("#stop")  # an epoch of 2,000 names is long; Stop still answers at once
    wait_until(page, TRAIN_DONE, timeout=5_000)
