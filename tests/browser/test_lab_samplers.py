"""The lab's samplers side by side, and what survives new weights, through the page's controls."""
import re

from conftest import wait_until

TRAIN_DONE = "document.querySelector('#stop').disabled && !document.querySelector('#train').disabled"
RULES = ["random", "confident", "confident_cosine", "llada", "remdm", "threshold", "left_to_right"]
COMPARED = ("document.querySelectorAll('#compare-grid .cmp-col').length === 7"
            " && !document.querySelector('#compare-samplers').disabled")
QUALITY_IDLE = "!document.querySelector('#quality-run').disabled"


def train_names(page, epochs="200"):
    page.select_option("#recipe", "default")
    page.select_option("#epochs", epochs)
    page.click("#train")
    wait_until(page, "!document.querySelector('#stop').disabled")
    wait_until(page, TRAIN_DONE, timeout=120_000)


def columns(page):
    return page.evaluate("""[...document.querySelectorAll('#compare-grid .cmp-col')].map(c => ({
        strategy: c.dataset.strategy, chosen: c.classList.contains('chosen'),
        result: c.querySelector('.cmp-result').textContent,
        nfe: Number(c.querySelector('.cmp-nfe').dataset.nfe),
        uncached: Number(c.querySelector('.cmp-nfe').dataset.nfeUncached),
        nfeText: c.querySelector('.cmp-nfe').textContent,
        rows: c.querySelectorAll('.tl-row').length,
        last: c.querySelector('.tl-row:last-child .cells').textContent}))""")


def test_compare_samplers_shows_one_timeline_per_rule_with_nfe(ready):
    page = ready.page
    assert page.is_disabled("#compare-samplers")  # no model yet
    prompts = ("#sample-message", "#fill-message", "#compare-message", "#quality-message")
    for sel in prompts:
        assert "Train a names model" in page.inner_text(sel), sel
    train_names(page)
    # once a model exists, no section still asks for one: the prompts follow the model
    for sel in prompts:
        assert "Train a names model" not in page.inner_text(sel), sel
    assert page.inner_text("#compare-message").startswith("Press Compare samplers")
    assert page.inner_text("#sample-message").startswith("Press Generate")
    page.select_option("#compare-steps", "10")
    page.select_option("#lab-sampler", "threshold")
    page.click("#compare-samplers")
    wait_until(page, COMPARED, timeout=60_000)
    cols = columns(page)
    assert [c["strategy"] for c in cols] == RULES
    for c in cols:
        assert "?" not in c["last"], c  # every rule finishes its name
        assert 1 <= c["nfe"] <= c["uncached"], c
        assert re.match(r"\d+ network calls? \(NFE\)", c["nfeText"]), c
        assert c["rows"] >= 2
        assert c["chosen"] == (c["strategy"] == "threshold")
    by = {c["strategy"]: c for c in cols}
    assert by["left_to_right"]["rows"] == 8  # start + one step per position (L = 7)
    assert by["random"]["uncached"] == 10  # one call per step of the budget
    # the threshold rule's confidence: a chart and a table of numbers in [0, 1]
    conf = page.evaluate("""[...document.querySelectorAll('.cmp-col[data-strategy=threshold] tbody tr')]
        .map(tr => [...tr.querySelectorAll('td')].map(td => Number(td.textContent)))""")
    assert conf and all(0 <= lo <= mean <= 1 for lo, mean in conf)
    assert page.locator("#threshold-confidence path.series").count() == 2
    assert "7 samplers" in page.inner_text("#compare-message")
    # the oracle as denoiser: it ignores t, so the cache may save calls; counts stay sane
    page.select_option("#compare-denoiser", "oracle")
    page.click("#compare-samplers")
    wait_until(page, COMPARED + " && document.querySelector('#compare-message').textContent.includes('oracle')"
               " && document.querySelector('#compare-message').dataset.kind === 'ok'", timeout=60_000)
    for c in columns(page):
        assert 1 <= c["nfe"] <= c["uncached"], c
    # the Sampler select moves the outline
    page.select_option("#lab-sampler", "remdm")
    assert [c["strategy"] for c in columns(page) if c["chosen"]] == ["remdm"]
    # a budget of one step: "1 step", and a single network call is "1 network call"
    page.select_option("#compare-steps", "1")
    assert "run with 1 step on" in page.inner_text("#compare-message")
    page.click("#compare-samplers")
    wait_until(page, COMPARED + " && document.querySelector('#compare-message').textContent.startsWith('1 step,')"
               " && document.querySelector('#compare-message').dataset.kind === 'ok'", timeout=60_000)
    singles = [c for c in columns(page) if c["nfe"] == 1]
    assert singles, columns(page)  # random order at one step calls the network once
    for c in singles:
        assert c["nfeText"].startswith("1 network call (NFE)"), c


def compared_seed(page):
    """Wait for a finished comparison; its seed, from the message."""
    wait_until(page, COMPARED + " && document.querySelector('#compare-message').dataset.kind === 'ok'", timeout=60_000)
    return int(re.search(r"seed (\d+)", page.inner_text("#compare-message")).group(1))


def test_same_seed_again_repeats_a_run_and_isolates_a_change(ready):
    page = ready.page
    train_names(page)
    assert page.is_disabled("#compare-again")  # no run to repeat yet
    page.select_option("#compare-steps", "10")
    page.click("#compare-samplers")
    first = compared_seed(page)
    names = [c["last"] for c in columns(page)]
    assert not page.is_disabled("#compare-again")
    # the same seed and settings draw the same seven names
    page.click("#compare-again")
    assert compared_seed(page) == first
    assert [c["last"] for c in columns(page)] == names
    # a new setting: the message says the grid is older and names both ways to run again
    page.select_option("#compare-steps", "4")
    msg = page.inner_text("#compare-message")
    assert msg.startswith("Settings changed") and "Same seed again" in msg and "4 steps" in msg
    page.click("#compare-again")
    assert compared_seed(page) == first
    assert page.inner_text("#compare-message").startswith(f"4 steps, seed {first},")
    # Compare samplers draws with a new seed
    page.click("#compare-samplers")
    assert compared_seed(page) != first
    # a new model: no last run to repeat
    page.click("#reset")
    wait_until(page, "document.querySelectorAll('#compare-grid .cmp-col').length === 0")
    assert page.is_disabled("#compare-again")


# per column: each timeline row's [first step, last step, faded, marked as the current one]
REPLAY_STATE = """Object.fromEntries([...document.querySelectorAll('#compare-grid .cmp-col')].map(c =>
  [c.dataset.strategy, [...c.querySelectorAll('.tl-row')].map(r => [Number(r.dataset.from),
   Number(r.dataset.to), r.classList.contains('tl-later'), r.classList.contains('tl-now')])]))"""


def test_the_replay_slider_stops_every_column_after_the_same_step(ready):
    page = ready.page
    train_names(page)
    assert page.is_disabled("#compare-replay")  # nothing to replay yet
    page.select_option("#compare-steps", "10")
    page.click("#compare-samplers")
    compared_seed(page)
    # a new grid is shown whole; the slider spans the longest column (10 steps here)
    assert page.input_value("#compare-replay") == page.get_attribute("#compare-replay", "max") == "10"
    assert page.locator("#compare-grid .tl-later, #compare-grid .tl-now").count() == 0
    page.focus("#compare-replay")  # the keyboard moves it
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.inner_text("#compare-replay-value") == "after step 3 of 10"
    assert page.get_attribute("#compare-replay", "aria-valuetext") == "after step 3 of 10"
    state = page.evaluate(REPLAY_STATE)
    assert sorted(state) == sorted(RULES)
    for strategy, rows in state.items():
        for first, last, faded, marked in rows:
            assert faded == (first > 3), (strategy, rows)
            assert marked == (first <= 3 <= last), (strategy, rows)
        assert sum(marked for *_, marked in rows) <= 1, (strategy, rows)
    assert any(marked for *_, marked in state["random"])  # 10 steps: step 3 is in its timeline
    page.keyboard.press("End")
    assert page.inner_text("#compare-replay-value") == "all 10 steps"
    assert page.locator("#compare-grid .tl-later, #compare-grid .tl-now").count() == 0
    page.click("#reset")  # no grid, no replay
    wait_until(page, "document.querySelectorAll('#compare-grid .cmp-col').length === 0")
    assert page.is_disabled("#compare-replay") and page.inner_text("#compare-replay-value") == "–"


def test_compare_at_40_steps_merges_the_steps_that_reveal_nothing(ready):
    page = ready.page
    train_names(page)
    page.select_option("#compare-steps", "40")
    page.click("#compare-samplers")
    wait_until(page, COMPARED, timeout=60_000)
    rows = page.evaluate("""Object.fromEntries([...document.querySelectorAll('#compare-grid .cmp-col')]
        .map(c => [c.dataset.strategy, [...c.querySelectorAll('.tl-row')].map(r => ({
            label: r.querySelector('.tl-label').textContent,
            text: r.querySelector('.cells').textContent,
            revealed: r.querySelectorAll('.cell.revealed').length}))]))""")
    merged = 0
    for rule in ("random", "confident", "confident_cosine", "llada", "remdm"):  # grid rules
        covered = []
        for before, row in zip(rows[rule], rows[rule][1:]):
            span = row["label"].split(" · ")[0].removeprefix("steps ").removeprefix("step ")
            a, _, b = span.partition("–")
            covered += range(int(a), int(b or a) + 1)
            merged += bool(b)
            if "none revealed" in row["label"]:  # nothing changed during it
                assert row["revealed"] == 0 and row["text"] == before["text"], (rule, row)
            else:  # a step that revealed (or, under ReMDM, masked again) something
                assert not b and row["text"] != before["text"], (rule, row)
        assert covered == list(range(1, 41)), (rule, covered)  # every step, in order, once
        assert "→ 0.000" in rows[rule][-1]["label"]
        # 40 steps walk t down a grid 0.025 apart: three decimals, not unevenly rounded two
        assert all(re.search(r"t \d\.\d{3}( → \d\.\d{3})?$", r["label"].split(" · ")[1])
                   for r in rows[rule]), rule
    assert merged >= 5 and len(rows["random"]) < 41  # 7 reveals cannot fill 40 steps
    # rows out of view are not laid out until needed (CSS content-visibility), but the
    # keyboard still reaches them: PageDown from the start row focuses the finished name,
    # scrolled into view, drawn, with its probability label shown
    longest = max(rows, key=lambda r: len(rows[r]))
    timeline = page.locator(f".cmp-col[data-strategy={longest}] .cmp-timeline")
    timeline.locator(".tl-row").first.locator(".cell").first.focus()
    page.keyboard.press("PageDown")
    last = timeline.locator(".tl-row").last
    assert page.evaluate("document.activeElement.closest('.tl-row').classList.contains('tl-final')")
    # in view with room for its outline below (CSS scroll-margin), not flush with the edge
    wait_until(page, "(() => { const r = document.activeElement.getBoundingClientRect();"
               " return r.top >= 0 && r.bottom <= innerHeight - 6 && r.height > 0; })()")
    assert last.inner_text().replace("\n", "").endswith(rows[longest][-1]["text"])  # drawn, not skipped
    tip = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
    assert tip.strip('"') == page.evaluate("document.activeElement.dataset.p")
    page.keyboard.press("PageUp")  # back to the start row: room above for the label
    wait_until(page, "(() => { const r = document.activeElement.getBoundingClientRect();"
               " return r.top >= 20 && r.bottom <= innerHeight; })()")
    # rows not drawn yet are given their true height: scrolling up or down through the
    # comparison never changes its height (nothing moves), at a desktop width nor a phone's
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.click("#compare-samplers")  # new rows, drawn (or not) at this width
        wait_until(page, COMPARED + " && document.querySelector('#compare-message')"
                   ".dataset.kind === 'ok'", timeout=60_000)
        heights = page.evaluate(SCROLL_THROUGH, "#compare-grid")
        assert max(heights) - min(heights) < 1, (width, sorted(set(heights)))


# Scroll from below `sel` up past its top, then back down, 120 px a step (a wheel notch),
# two frames after each; the height of `sel` at every step.
SCROLL_THROUGH = """async (sel) => {
  const el = document.querySelector(sel);
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const top = el.getBoundingClientRect().top + scrollY, bottom = top + el.offsetHeight;
  scrollTo(0, bottom + 200);
  await frames();
  const heights = [el.offsetHeight];
  for (const dir of [-1, 1]) {
    for (let y = scrollY; dir < 0 ? y > top - 400 : y < bottom + 200; y += dir * 120) {
      scrollTo(0, y);
      await frames();
      heights.push(el.offsetHeight);
    }
  }
  return heights;
}"""


TRAINING = "!document.querySelector('#stop').disabled"


def test_lab_results_never_outlive_the_weights_they_came_from(ready):
    page = ready.page
    train_names(page)
    page.click("#compare-samplers")
    compared_seed(page)
    page.select_option("#quality-n", "8")
    page.click("#quality-run")
    wait_until(page, QUALITY_IDLE + " && document.querySelector('#quality-message').dataset.kind === 'ok'",
               timeout=120_000)
    page.click("#fill")
    wait_until(page, "document.querySelectorAll('#fill-model li').length > 0")
    # +500 more: the weights change under every result drawn with them
    page.click("#more")
    wait_until(page, TRAINING)
    assert page.locator("#compare-grid .cmp-col").count() == 0
    assert page.is_disabled("#compare-samplers") and page.is_disabled("#compare-again")
    assert page.inner_text("#compare-message").startswith("The names model is training")
    assert page.inner_text("#quality-message").startswith("The names model is training")
    assert page.locator("#fill-model li").count() == 0
    assert page.is_disabled("#snapshot")
    assert "snapshots appear here when it ends" in page.inner_text("#snapshot-note")
    # the chart is redrawn, empty, on a later frame (a redraw is scheduled, never forced)
    wait_until(page, "document.querySelectorAll('#quality-chart path.series').length === 0",
               timeout=10_000)
    wait_until(page, TRAIN_DONE, timeout=120_000)
    assert page.inner_text("#compare-message").startswith("Press Compare samplers")
    assert page.inner_text("#quality-message").startswith("Press Plot quality")
    assert page.is_disabled("#compare-again")  # the last seed belonged to the old weights
    # Reset in the middle of a quality run: its progress message does not stay behind
    page.select_option("#quality-n", "256")
    page.click("#quality-run")
    wait_until(page, "/pieces of work/.test(document.querySelector('#quality-message').textContent)")
    page.click("#reset")
    wait_until(page, "document.querySelector('#quality-message').textContent.startsWith('Train a names model first')")
    assert page.evaluate("document.querySelector('#quality-progress').hidden")
