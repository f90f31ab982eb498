"""Section IV's lab as a reader uses it: the loss weighting, bits per character live and
after training, Train without t, the training snapshots, and Train during a run."""
import re

from conftest import open_page, wait_until

TRAIN_DONE = "document.querySelector('#stop').disabled && !document.querySelector('#train').disabled"
NUM = r"(\d+\.\d+)"


def text(page, sel):
    return page.locator(sel).inner_text()


def start_training(page, epochs="200", recipe="default"):
    page.select_option("#recipe", recipe)
    page.select_option("#epochs", epochs)
    page.click("#train")
    wait_until(page, "!document.querySelector('#stop').disabled")


def test_weighting_option_lives_in_the_url(browser, server):
    w = open_page(browser, server, "#weighting=elbo")
    try:
        page = w.page
        assert page.input_value("#weighting") == "elbo"
        page.select_option("#weighting", "uniform")
        wait_until(page, "!location.hash.includes('weighting')")
        page.select_option("#weighting", "elbo")
        wait_until(page, "location.hash.includes('weighting=elbo')")
        w.check_clean()
    finally:
        w.context.close()


FLOOR_LABEL = "document.querySelector('#loss-chart .floor-label').textContent"


def test_the_charts_best_possible_loss_follows_the_weighting_trained_with(browser, server):
    """The ELBO weighting's best is the data's entropy per position, ln 40 / 7 = 0.527, not
    the plain floor 0.394: the dashed line shows the one the chart's losses can reach."""
    w = open_page(browser, server, "#weighting=elbo")
    try:
        page = w.page
        wait_until(page, f"{FLOOR_LABEL} === 'best possible 0.527'", timeout=180_000)
        page.select_option("#weighting", "uniform")  # no model yet: the next run's weighting
        wait_until(page, f"{FLOOR_LABEL} === 'best possible 0.394'")
        page.select_option("#weighting", "elbo")
        wait_until(page, f"{FLOOR_LABEL} === 'best possible 0.527'")
        page.wait_for_selector("#train:not([disabled])", timeout=180_000)
        start_training(page, epochs="100")
        wait_until(page, TRAIN_DONE, timeout=120_000)
        # the ELBO-weighted losses end above their own best, not below the plain floor
        last = page.evaluate("(() => { const v = document.querySelector('#loss-readout').textContent;"
                             " return Number(v); })()")
        assert 0.527 < last < 1.5, last
        # a model is on the chart: choosing the other weighting for the next run changes nothing
        page.select_option("#weighting", "uniform")
        assert page.evaluate(FLOOR_LABEL) == "best possible 0.527"
        page.click("#train")  # a fresh run with the plain weighting (100 epochs end fast)
        wait_until(page, f"{FLOOR_LABEL} === 'best possible 0.394'")
        wait_until(page, "document.querySelector('#train-message').textContent"
                         ".includes('cross-entropy on every position') || "
                         "document.querySelector('#train-message').textContent.startsWith('Done')")
        wait_until(page, TRAIN_DONE, timeout=120_000)
        w.check_clean()
    finally:
        w.context.close()


def test_train_button_during_a_run_never_restarts_silently(ready):
    page = ready.page
    start_training(page, epochs="1000", recipe="seed")  # long enough to click during it
    assert page.locator("#train").is_disabled()
    assert text(page, "#train") == "Training…"
    page.click("#stop")
    wait_until(page, TRAIN_DONE, timeout=30_000)
    assert text(page, "#train") == "Train"
    assert "Stopped at epoch" in text(page, "#train-message")
    # examples per second, in one unit for both recipes (written on the frame after progress)
    wait_until(page, "document.querySelector('#sps-readout').innerText !== '–'")
    assert page.locator("dt", has_text="Examples per second").count() == 1


def test_elbo_no_t_and_snapshots_after_one_run(ready):
    page = ready.page
    start_training(page)  # the default weighting: Train without t compares like with like
    # live: at least one estimate drawn while the run goes on, with the entropy line
    wait_until(page, "document.querySelector('#elbo-readout').innerText.includes('Live estimate')",
               timeout=60_000)
    wait_until(page, TRAIN_DONE, timeout=120_000)
    assert "ELBO weighting" in text(page, "#train-message") or "Done" in text(page, "#train-message")
    wait_until(page, "document.querySelector('#elbo-readout').innerText.includes('after training')",
               timeout=60_000)
    readout = text(page, "#elbo-readout")
    bits, se = map(float, re.search(NUM + r" ± " + NUM + " bits per character", readout).groups())
    entropy = float(re.search(r"entropy of the data is " + NUM, readout).group(1))
    assert entropy == 0.760 and entropy < bits < 3 and se < 0.01
    # the chart draws the precise point on the next frame after the readout
    wait_until(page, "document.querySelectorAll('#elbo-chart circle.precise').length === 1")
    assert page.locator("#elbo-chart path.ema").count() == 1
    assert "entropy of the data 0.760" in page.locator("#elbo-chart").inner_html()
    # the evaluated loss (nats per position) is shown for the ELBO-weighted run too
    wait_until(page, "document.querySelector('#eval-readout').innerText.includes('nats per position')")

    check_snapshots(page)
    check_no_t(page)


def check_snapshots(page):
    wait_until(page, "!document.querySelector('#snapshot').disabled", timeout=30_000)
    assert "snapshots kept" in text(page, "#snapshot-note")
    assert re.search(r"\d+(\.\d)? (kB|MB)", text(page, "#snapshot-note"))

    def names_at(index):
        page.eval_on_selector("#snapshot", f"(e) => {{ e.value = '{index}'; "
                              "e.dispatchEvent(new Event('input', {bubbles: true})); }")
        epoch = text(page, "#snapshot-value").split(":")[0].removeprefix("epoch ")
        wait_until(page, f"document.querySelector('#snapshot-names').dataset.epoch === '{epoch}'",
                   timeout=20_000)
        return epoch, text(page, "#snapshot-names").split()

    last = int(page.get_attribute("#snapshot", "max"))
    e_last, trained = names_at(last)
    e_first, untrained = names_at(0)
    # the slider ends at the model on show (epoch 200 is not on the snapshot grid) and
    # starts before training, which the default's output-bias start makes not "random"
    assert e_first == "0" and int(e_last) == 200
    assert text(page, "#snapshot-value") == "epoch 0: before training"
    assert trained != untrained and len(trained) == 12
    names_at(last // 2)
    assert "training loss" in text(page, "#snapshot-value")
    assert re.search(r"training loss \d\.\d{3} nats per position", text(page, "#snapshot-value"))
    # the note names the seed the names on show were drawn with, also after it changed
    assert "the random seed of section IV, 0)" in text(page, "#snapshot-note")
    page.fill("#seed", "7")
    page.dispatch_event("#seed", "change")
    names_at(last)
    assert "the random seed of section IV, 7)" in text(page, "#snapshot-note")


def check_no_t(page):
    page.click("#train-no-t")
    wait_until(page, "document.querySelector('#no-t-readout').innerText.includes('minus without')",
               timeout=180_000)
    r = text(page, "#no-t-readout")
    with_t = re.search(r"with t \(your model\) " + NUM + " ± " + NUM, r).groups()
    without = re.search(r"without t " + NUM + " ± " + NUM, r).groups()
    (a, sa), (b, sb) = map(float, with_t), map(float, without)
    assert 0 < a < 3 and 0 < b < 3 and 0 < sa < 0.05 and 0 < sb < 0.05
    # the difference, with the standard error of the paired differences (the same draws
    # score both models): far below either loss's own, and the loss barely moves without t
    d, sd = map(float, re.search(r"With t minus without: (-?\d+\.\d+) ± " + NUM, r).groups())
    assert abs(d - (a - b)) <= 0.0015 and 0 < sd < min(sa, sb) / 5, r
    assert abs(d) < 0.005, r  # under the loss's spread between random seeds (0.005)
    assert "In short: the difference is smaller than the 0.005" in r and "equally good" in r, r
    ratio = float(re.search(r"the difference is " + NUM + r" times its standard error", r).group(1))
    assert abs(ratio - abs(d) / sd) <= 0.1 + 0.05 * ratio, r  # d and sd are rounded
    assert not page.locator("#generate").is_disabled()  # the reader's model is still there


# when the run's closing message appears (the snapshots are being read meanwhile), press
# +500 more at once: the old run's snapshots must not come back during the new run
MORE_AT_ONCE = """(() => { const msg = document.querySelector('#train-message');
  const watch = new MutationObserver(() => {
    if (!msg.textContent.startsWith('Done:')) return;
    watch.disconnect();
    document.querySelector('#more').click();
  });
  watch.observe(msg, {childList: true, characterData: true, subtree: true}); })()"""


def test_snapshots_of_a_finished_run_stay_hidden_once_the_next_run_starts(ready):
    page = ready.page
    page.evaluate(MORE_AT_ONCE)
    start_training(page)
    wait_until(page, "document.querySelector('#train-message').textContent.startsWith('Going on for 500 more')",
               timeout=60_000)
    assert not page.is_disabled("#stop")  # the next run goes on
    page.evaluate("window.tinyDiffusion.engine.memory()")  # the worker answers in order: all earlier replies are in
    assert page.is_disabled("#snapshot")
    assert page.inner_text("#snapshot-note").startswith("Training: this run's snapshots")
    wait_until(page, TRAIN_DONE, timeout=120_000)
    wait_until(page, "!document.querySelector('#snapshot').disabled", timeout=30_000)
    # the first run's last epoch (200, off the doubling grid) is one to go back to
    epochs = []
    for i in range(int(page.get_attribute("#snapshot", "max")) + 1):
        page.eval_on_selector("#snapshot", f"(e) => {{ e.value = '{i}'; "
                              "e.dispatchEvent(new Event('input', {bubbles: true})); }")
        epochs.append(int(text(page, "#snapshot-value").split(":")[0].removeprefix("epoch ")))
    assert 200 in epochs and epochs[-1] == 700 and epochs == sorted(epochs), epochs


def test_results_of_the_earlier_weights_are_cleared_when_training_starts(ready):
    """Names, filled patterns and the comparison without t written by the weights before a
    run never stay beside the new model."""
    page = ready.page
    start_training(page, epochs="100")
    wait_until(page, TRAIN_DONE, timeout=120_000)
    page.click("#generate")
    wait_until(page, "document.querySelectorAll('#samples li').length === 15")
    page.fill("#pattern", "a????")
    page.click("#fill")
    wait_until(page, "document.querySelectorAll('#fill-model li').length > 0")
    assert "Filled a????" in text(page, "#fill-message")
    page.evaluate("document.querySelector('#no-t-readout').textContent = 'a comparison'")
    page.click("#train")  # a fresh run, with new weights
    wait_until(page, "document.querySelectorAll('#samples li').length === 0")
    assert "cleared when training started" in text(page, "#sample-message")
    assert page.locator("#fill-model li").count() == 0
    assert "cleared when training started" in text(page, "#fill-message")
    assert text(page, "#no-t-readout") == ""
    wait_until(page, TRAIN_DONE, timeout=120_000)
    assert "press Generate for the new model's" in text(page, "#sample-message")  # still true


CLASHES = """((sel) => {
  const svg = document.querySelector(sel);
  const box = (e) => e.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const title = svg.querySelector('.y-title');
  return [...svg.querySelectorAll('text')].filter((t) => t !== title && t.textContent.trim()
    && meet(box(title), box(t))).map((t) => t.textContent); })"""


def test_the_charts_y_titles_clear_their_tick_labels(ready):
    page = ready.page
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        start_training(page, epochs="100")
        wait_until(page, TRAIN_DONE, timeout=120_000)
        wait_until(page, "document.querySelector('#elbo-readout').textContent"
                         ".startsWith('Negative ELBO after training')", timeout=60_000)
        for chart in ("#elbo-chart", "#loss-chart"):
            assert page.locator(f"{chart} .y-title").count() == 1, chart
            assert page.evaluate(f"{CLASHES}('{chart}')") == [], (chart, width)
