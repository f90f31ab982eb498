"""The diffusion lab, part 2 (#15), in Firefox ESR and WebKitGTK: the samplers side by side
with their NFE (same seed again, the replay slider), bits per character, quality against
steps with progress, and training time travel. One page per engine, trained once by the
first test to need it (lab_kit.py). Selects and sliders are set by script with the events
a reader's choice fires; buttons are clicked.
"""
from __future__ import annotations

import re

import pytest
from engine_drivers import ENGINES
from lab_kit import NUM, RULES, L, trained, training_names

# ------------------------------------------------------------------ #15 samplers
COLUMNS = """[...document.querySelectorAll('#compare-grid .cmp-col')].map(c => ({
  strategy: c.dataset.strategy, chosen: c.classList.contains('chosen'),
  nfe: Number(c.querySelector('.cmp-nfe').dataset.nfe),
  uncached: Number(c.querySelector('.cmp-nfe').dataset.nfeUncached),
  nfeText: c.querySelector('.cmp-nfe').textContent,
  rows: c.querySelectorAll('.tl-row').length,
  last: c.querySelector('.tl-row:last-child .cells').textContent}))"""


# every compare row: [first step, last step, faded by the replay, marked as its step's row]
REPLAY_ROWS = """[...document.querySelectorAll('#compare-grid .tl-row')].map(r =>
  [Number(r.dataset.from), Number(r.dataset.to),
   r.classList.contains('tl-later'), r.classList.contains('tl-now')])"""


@pytest.mark.parametrize("engine", ENGINES)
def test_samplers_side_by_side_with_their_network_calls(pool, server, engine):
    page = trained(pool, server, engine)
    page.wait("!document.querySelector('#compare-samplers').disabled", 30)
    page.choose("compare-steps", "10")
    page.choose("lab-sampler", "threshold")
    page.js("document.querySelector('#compare-grid').replaceChildren()")  # this run's only
    page.click("compare-samplers")
    page.wait("document.querySelectorAll('#compare-grid .cmp-col').length === 7"
              " && !document.querySelector('#compare-samplers').disabled", 90)
    cols = page.js(COLUMNS)
    assert [c["strategy"] for c in cols] == RULES
    for c in cols:
        assert re.fullmatch("[a-z_]{7}", c["last"]), c  # every rule finishes its name
        assert 1 <= c["nfe"] <= c["uncached"], c
        assert re.search(rf"\b{c['nfe']}\b.*network calls \(NFE\)", c["nfeText"]), c
        assert c["rows"] >= 2 and c["chosen"] == (c["strategy"] == "threshold"), c
    by = {c["strategy"]: c for c in cols}
    assert by["left_to_right"]["rows"] == L + 1  # start + one position per step
    assert by["random"]["uncached"] == 10  # one call per step of the budget
    conf = page.js("[...document.querySelectorAll('.cmp-col[data-strategy=threshold] tbody tr')]"
                   ".map(tr => [...tr.querySelectorAll('td')].map(td => Number(td.textContent)))")
    assert conf and all(0 <= lo <= mean <= 1 for lo, mean in conf), conf
    assert "7 samplers" in page.text("#compare-message")
    page.choose("lab-sampler", "remdm")  # the Sampler select moves the outline
    assert [c["strategy"] for c in page.js(COLUMNS) if c["chosen"]] == ["remdm"]
    # Same seed again: the last run's seed, the same seven names
    seed = re.search(r"seed (\d+)", page.text("#compare-message")).group(1)
    page.js("document.querySelector('#compare-grid').replaceChildren()")
    page.click("compare-again")
    page.wait("document.querySelectorAll('#compare-grid .cmp-col').length === 7"
              " && document.querySelector('#compare-message').dataset.kind === 'ok'", 90)
    assert re.search(r"seed (\d+)", page.text("#compare-message")).group(1) == seed
    assert [c["last"] for c in page.js(COLUMNS)] == [c["last"] for c in cols]
    # the replay slider stops every column after step 3: later rows fade, step 3's row is marked
    page.choose("compare-replay", "3")
    assert page.text("#compare-replay-value") == "after step 3 of 10"
    rows = page.js(REPLAY_ROWS)
    assert rows and all(faded == (a > 3) and marked == (a <= 3 <= b)
                        for a, b, faded, marked in rows), rows
    assert page.errors() == []


# ------------------------------------------------------------------ #15 bits per character
@pytest.mark.parametrize("engine", ENGINES)
def test_bits_per_character_live_and_after_training(pool, server, engine):
    page = trained(pool, server, engine)
    page.wait("document.querySelector('#elbo-readout').textContent.includes('after training')", 90)
    readout = page.text("#elbo-readout")
    shown = re.search(NUM + r" ± " + NUM + " bits per character", readout)
    bits, se = map(float, shown.groups())
    entropy = float(re.search(r"entropy of the data is " + NUM, readout).group(1))
    # a precise figure's error can be under 0.0005: shown to one significant digit, not 0.000
    assert entropy == 0.760 and entropy < bits < 3 and 0 < se < 0.01, readout
    # the live line drawn during the run, the precise point after it, the entropy line
    drawn = [page.count(f"#elbo-chart {e}") for e in ("path.ema", "line.whisker", "circle.precise")]
    assert drawn[0] == 1 and drawn[1] >= 1 and drawn[2] == 1, drawn
    assert "entropy of the data 0.760" in page.text("#elbo-chart .floor-label")
    assert f"{shown.group(1)} ± {shown.group(2)}" in page.text("#elbo-chart circle.precise title")
    assert page.errors() == []


# ------------------------------------------------------------------ #15 quality against steps
WATCH_PROGRESS = """
const bar = document.querySelector('#quality-progress');
const msg = document.querySelector('#quality-message');
window.__qualitySeen = [];
window.__qualityWatch = [
  new MutationObserver(() => __qualitySeen.push(['bar', bar.value, bar.hidden])),
  new MutationObserver(() => __qualitySeen.push(['message', msg.textContent]))];
__qualityWatch[0].observe(bar, {attributes: true});
__qualityWatch[1].observe(msg, {childList: true, characterData: true, subtree: true});"""
QUALITY_ROWS = """[...document.querySelectorAll('#quality-table tbody tr')].map(tr =>
  [tr.querySelector('th').textContent,
   ...[...tr.querySelectorAll('td')].map(td => td.textContent)])"""


@pytest.mark.parametrize("engine", ENGINES)
def test_quality_against_steps_finishes_with_progress(pool, server, engine):
    page = trained(pool, server, engine)
    page.wait("!document.querySelector('#quality-run').disabled", 30)
    page.choose("quality-n", "8")
    page.choose("quality-metric", "training_share")
    page.driver.execute_script(WATCH_PROGRESS)
    page.click("quality-run")
    page.wait("!document.querySelector('#quality-stop').disabled", 30)
    page.wait("!document.querySelector('#quality-run').disabled"
              " && document.querySelector('#quality-stop').disabled", 180)
    seen = page.js("(__qualityWatch.forEach(w => w.disconnect()), __qualitySeen)")
    partial = [v for kind, v, *_ in seen if kind == "bar" and 0 < v < 1]
    assert partial and partial == sorted(partial), seen  # the bar moved forward while it ran
    said = [v for kind, v, *_ in seen if kind == "message"]
    assert any(re.search(r"\d+ of \d+ pieces of work \(\d+%\)", m) for m in said), said
    assert page.js("document.querySelector('#quality-progress').value") == 1
    message = page.text("#quality-message")
    assert re.search(r"86 cells .*, 8 names each, in \d+\.\d s", message), message
    # the last cells are drawn on the next animation frame after the run ends
    page.wait("document.querySelectorAll('#quality-table tbody td').length === 98"
              " && ![...document.querySelectorAll('#quality-table tbody td')]"
              ".some(td => td.textContent === '–')", 30)
    rows = page.js(QUALITY_ROWS)
    assert len(rows) == 14  # 7 rules x (model, oracle)
    for head, *cells in rows:
        assert len(cells) == 7 and all(re.fullmatch(r"\d+\.\d%", c) for c in cells), (head, cells)
        assert all(0 <= float(c[:-1]) <= 100 for c in cells), (head, cells)
    by = {r[0]: r[1:] for r in rows}  # the oracle, one position per step: training names only
    assert by["Left to right, oracle"] == ["100.0%"] * 7
    assert page.count("#quality-chart path.series") == 14
    chart = page.js("document.querySelector('#quality-chart').getAttribute('aria-label')")
    assert "training names" in chart and "95 % interval" in chart, chart
    assert page.count("#quality-chart path.err") == 14  # the coloured rule, model and oracle
    page.choose("quality-metric", "nfe")  # another measure redraws the same cells
    page.wait("document.querySelector('#quality-table').dataset.measure === 'nfe'", 20)
    for head, *cells in page.js(QUALITY_ROWS):  # network calls per name, at most one a step
        calls = [float(c) for c in cells]
        if head.startswith("Left to right"):  # the budget is ignored
            assert len(set(calls)) == 1 and 1 <= calls[0] <= L, (head, cells)
        else:
            assert all(1 <= c <= k for c, k in zip(calls, (1, 2, 4, 7, 10, 20, 40))), (head, cells)
    assert page.errors() == []


# ------------------------------------------------------------------ #15 time travel
def snapshot_at(page, index):
    """Move the Training snapshot slider to ``index``; the epoch it says and its names."""
    page.choose("snapshot", str(index))
    m = re.fullmatch(r"epoch (\d+): (.*)", page.text("#snapshot-value"))
    page.wait(f"document.querySelector('#snapshot-names').dataset.epoch === '{m.group(1)}'", 60)
    return int(m.group(1)), m.group(2), page.texts("#snapshot-names li")


@pytest.mark.parametrize("engine", ENGINES)
def test_training_time_travel_changes_the_epoch_and_the_names(pool, server, engine):
    page = trained(pool, server, engine)
    page.wait("!document.querySelector('#snapshot').disabled", 60)
    note = page.text("#snapshot-note")
    m = re.match(r"(\d+) snapshots kept \(at most (\d+)\), holding \d+(\.\d)? (kB|MB)", note)
    assert m and 2 <= int(m.group(1)) <= int(m.group(2)), note
    last = int(page.js("document.querySelector('#snapshot').max"))
    assert last == int(m.group(1)) - 1
    e_last, loss_last, trained_names = snapshot_at(page, last)
    e_first, loss_first, untrained = snapshot_at(page, 0)
    e_mid, loss_mid, _ = snapshot_at(page, last // 2)
    assert e_first == 0 and loss_first == "before training"
    assert e_last == 200 and e_first < e_mid < e_last, (e_first, e_mid, e_last)  # the model on show
    for loss in (loss_mid, loss_last):
        assert re.fullmatch(r"training loss \d\.\d{3} nats per position", loss), loss
    assert len(trained_names) == len(untrained) == 12
    assert trained_names != untrained
    # the trained snapshot writes mostly training names; random weights hardly any
    names = set(training_names(page))
    assert sum(n in names for n in trained_names) > sum(n in names for n in untrained)
    assert page.errors() == []


# ------------------------------------------------------------------ #15 left to right
@pytest.mark.parametrize("engine", ENGINES)
def test_train_left_to_right_beside_the_names_model(pool, server, engine):
    from diffusion_core import autoregressive
    from diffusion_core.dataset import builtin
    from diffusion_core.recipe import get_recipe
    from diffusion_core.train import Trainer

    page = trained(pool, server, engine)
    page.wait("!document.querySelector('#ar-train').disabled", 30)
    page.click("ar-train")
    page.wait("!document.querySelector('#ar-table').hidden"
              " && !document.querySelector('#ar-train').disabled", 120)
    message = page.text("#ar-message")
    assert re.match(r"Trained left to right: 200 epochs in \d+\.\d s, random seed 7, 27,466 "
                    r"weights, as many as your model's\. \d+ of the 12 names below are training "
                    r"names; each took 7 network calls\.$", message), message
    rows = page.js("[...document.querySelectorAll('#ar-table tbody tr')].map("
                   "tr => [...tr.children].map(c => c.textContent))")
    assert [r[0] for r in rows][::3] == ["Left to right, trained just now (200 epochs)",
                                         "The data itself"]
    d = builtin("names")
    ar = Trainer(d, get_recipe("names", "default", epochs=200), seed=7, objective="left_to_right")
    ar.run(200)
    assert rows[0][1] == f"{autoregressive.nll(ar.params, d).bits_per_char:.3f}", rows  # parity
    assert rows[3][1] == "0.760" and re.fullmatch(NUM + " ± " + NUM, rows[2][1]), rows
    assert page.count("#ar-names li") == 12
    assert page.errors() == []
