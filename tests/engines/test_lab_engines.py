"""The diffusion lab (#14, #15) in Firefox ESR and WebKitGTK, walked as a reader walks it:
Top candidates beside the exact posterior (held against the posterior worked out here)
at every step, Fill in a name (good, unfitting and bad patterns), revealing by hand,
the samplers with their NFE, bits per character, quality against steps with progress,
and training time travel. One page per engine, trained once by the first test to need
it (``#seed=7&epochs=200``). Errors fail every test as in test_firefox_webkit.py.
Selects and the slider are set by script with the events a reader's choice fires;
text is typed, keys are pressed, buttons and cells are clicked.
"""
from __future__ import annotations

import re
from collections import Counter

import pytest
from engine_drivers import ENGINES

SETUP = "#seed=7&epochs=200"
READY_S = 240  # WebKitGTK: 24-36 s on a loaded 2-core machine, over 150 s under very heavy load
TRAIN_DONE = ("document.querySelector('#epoch-readout').textContent.trim().startsWith('200')"
              " && document.querySelector('#stop').disabled"
              " && !document.querySelector('#train').disabled")
L = 7  # a name's length in the built-in task
RULES = ["random", "confident", "confident_cosine", "llada", "remdm", "threshold", "left_to_right"]
NUM = r"(\d+\.\d+)"


def trained(pool, server, engine):
    """The engine's session with a names model trained on this page (trained on first use)."""
    page = pool.get(engine)
    done = pool.__dict__.setdefault("lab_trained", set())
    if engine not in done:
        page.open(server.url + SETUP)
        page.wait("document.querySelector('#status').dataset.state === 'ready'", READY_S)
        page.click("train")
        page.wait(TRAIN_DONE, 240)
        done.add(engine)
    return page


def training_names(page):
    names = page.texts("#names-list .entry")
    assert len(names) == 40 and all(re.fullmatch("[a-z]{1,7}", n) for n in names), names
    return names


def fits(name, pattern):
    """Does ``name``, padded with ``_``, agree with every visible character of ``pattern``?"""
    padded = name.ljust(len(pattern), "_")
    return len(padded) == len(pattern) and all(p in ("?", c) for p, c in zip(pattern, padded))


# ------------------------------------------------------------------ #14 beliefs
PANEL = """[...document.querySelectorAll(arguments[0] + ' .tc-col')].map(col => ({
  caption: col.querySelector('.tc-caption').textContent,
  rows: [...col.querySelectorAll('li')].map(li => [li.querySelector('.tc-char').textContent,
                                                   li.querySelector('.tc-num').textContent])}))"""


def percent(text):
    return float(re.fullmatch(r"(\d+(?:\.\d)?)%", text).group(1))  # no match: AttributeError


def exact_posterior(names, row, pos):
    """The share of each character at ``pos`` over the training names that fit ``row``."""
    fit = [n.ljust(L, "_") for n in names if fits(n, row)]
    counts = Counter("end" if n[pos] == "_" else n[pos] for n in fit)
    return {c: k / len(fit) for c, k in counts.items()}, len(fit)


def check_panel(page, panel, names):
    """The open panel: the model's bars (1-5, falling, a distribution's top) and the
    oracle's, which must be the top of the exact posterior of the row the model saw
    to the panel's rounding (whole percent from 10 %, tenths below)."""
    title = page.text(f"{panel} .tc-title")
    m = re.fullmatch(r"Position (\d), step (\d+): the model saw ([a-z?_]{7})( and drew [a-z_])?",
                     title)
    assert m, title
    pos, row = int(m.group(1)) - 1, m.group(3)
    assert row[pos] == "?", title  # the model is asked only where the row is masked
    (model, oracle) = page.js(PANEL, panel)
    assert oracle["caption"] == "Exact posterior (oracle)", oracle
    for col in (model, oracle):
        ps = [percent(p) for _, p in col["rows"]]
        assert 1 <= len(ps) <= 5 and ps == sorted(ps, reverse=True), col
        assert ps[0] > 0 and all(p >= 0 for p in ps) and sum(ps) <= 100 + 0.5 * len(ps), col
    exact, n_fit = exact_posterior(names, row, pos)
    shown = {c: percent(p) for c, p in oracle["rows"]}
    assert len(shown) == min(5, len(exact)), (row, pos, shown, exact)
    for c, p in shown.items():
        tolerance = 0.51 if p >= 10 else 0.051
        assert c in exact and abs(p - 100 * exact[c]) <= tolerance, (row, pos, c, p, exact)
    left_out = [q for c, q in exact.items() if c not in shown]
    assert not left_out or min(exact[c] for c in shown) >= max(left_out) - 1e-9, (shown, exact)
    fitting = page.text(f"{panel} .tc-fitting")
    m = re.fullmatch(r"Training names that fit \((\d+)\): (.*)", fitting)
    assert m and int(m.group(1)) == n_fit, (fitting, n_fit)
    listed = m.group(2).removesuffix(", …").split(", ")
    assert listed and all(n in names and fits(n, row) for n in listed), (listed, row)
    return pos, int(title.split("step ")[1].split(":")[0])


def open_cell(page, step, pos):
    """Click the cell of ``step``/``pos`` of the Generate timeline; wait for the oracle."""
    page.driver.find_element(
        "css selector", f"#timeline [data-step='{step}'] .cell:nth-child({pos + 1})").click()
    page.wait("(() => { const t = document.querySelector('#timeline-beliefs .tc-title');"
              f" return t && t.textContent.startsWith('Position {pos + 1}, step {step}:')"
              " && document.querySelector('#timeline-beliefs .tc-fitting'); })()", 30)


@pytest.mark.parametrize("engine", ENGINES)
def test_beliefs_beside_the_exact_posterior_at_every_step(pool, server, engine):
    page = trained(pool, server, engine)
    names = training_names(page)
    page.click("generate")
    page.wait("document.querySelectorAll('#samples li').length === 15"
              " && document.querySelectorAll('#timeline [data-step]').length === 11", 60)
    assert page.count("[role=region][aria-label='Top candidates']") >= 3
    # step 1: every position was masked, so every name fits and every cell has candidates
    assert page.count("#timeline [data-step='1'] .cell.has-top") == L
    open_cell(page, 1, 0)
    assert check_panel(page, "#timeline-beliefs", names) == (0, 1)
    assert "fit (40)" in page.text("#timeline-beliefs")
    # the arrow keys move along the row and the panel follows the focus
    page.keys("ARROW_RIGHT")
    described = page.wait("(() => { const d = document.getElementById(document.activeElement"
                          ".getAttribute('aria-describedby') || 'none');"
                          " return d && d.textContent.includes('Exact posterior: ')"
                          " && d.textContent; })()", 20)
    assert described.startswith("Position 2, step 1"), described
    # step through the generation: at each step, a cell the model guessed there
    checked = 0
    for step in range(2, 11):
        pos = page.js("[...document.querySelectorAll("
                      "`#timeline [data-step='${arguments[0]}'] .cell`)]"
                      ".findIndex(c => c.classList.contains('has-top'))", step)
        if pos < 0:
            continue  # nothing was masked before this step
        open_cell(page, step, pos)
        assert check_panel(page, "#timeline-beliefs", names) == (pos, step)
        checked += 1
    assert checked >= 3, checked
    assert page.errors() == []


# ------------------------------------------------------------------ #14 infilling
def fill(page, pattern, enter=False):
    """Type ``pattern`` into the Pattern box and press Fill in (or Enter)."""
    page.js("document.querySelector('#fill-message').textContent = ''")  # a fresh answer only
    box = page.driver.find_element("id", "pattern")
    box.clear()
    if pattern:
        box.send_keys(pattern)
    page.keys("ENTER") if enter else page.click("fill")


def wait_filled(page, pattern, n=5):
    page.wait(f"document.querySelector('#fill-message').textContent.includes({pattern!r})"
              f" && document.querySelectorAll('#fill-model li').length === {n}", 60)


@pytest.mark.parametrize("engine", ENGINES)
def test_fill_in_keeps_the_letters_and_bad_patterns_keep_the_text(pool, server, engine):
    page = trained(pool, server, engine)
    names = training_names(page)
    for pattern in ("r???l", "??vya"):
        fill(page, pattern)
        wait_filled(page, pattern)
        answers = page.texts("#fill-model li .sample-text")
        badges = page.texts("#fill-model li .badge")
        assert len(answers) == len(badges) == 5
        for a, b in zip(answers, badges):
            assert fits(a, pattern) and len(a) <= len(pattern), (a, pattern)  # letters kept
            assert (b == "in the training set") == (a in names), (a, b)
        oracle = page.texts("#fill-oracle li .sample-text")
        assert len(oracle) == 5 and all(fits(a, pattern) for a in oracle), oracle
        fitting = [n for n in names if fits(n, pattern)]
        assert f"{len(fitting)} training name" in page.text("#fill-fitting")
        assert page.count("#fill-timeline [data-step]") == 11
    # a pattern no training name fits: the model answers, the exact posterior has none
    assert not [n for n in names if fits(n, "a?i")]
    fill(page, "a?i", enter=True)
    wait_filled(page, "a?i")
    assert "no training name fits a?i" in page.text("#fill-message").lower()
    assert all(fits(a, "a?i") for a in page.texts("#fill-model li .sample-text"))
    assert page.count("#fill-oracle li") == 0
    assert "no answer" in page.text("#fill-oracle-summary").lower()
    # bad patterns: the message names the fault, the text stays, nothing runs
    before = page.texts("#fill-model li")
    for bad, words in [("r2?l", "'2' is not allowed in the pattern"),
                       ("?a?a?a?a", "has 8 characters; at most 7"),
                       ("", "The pattern is empty"), ("ra l", "not allowed")]:
        fill(page, bad)
        page.wait(f"document.querySelector('#fill-message').textContent.includes({words!r})", 30)
        assert "Nothing was run" in page.text("#fill-message")
        assert page.js("document.querySelector('#pattern').value") == bad
        assert page.js("document.querySelector('#pattern').getAttribute('aria-invalid')") == "true"
        assert page.texts("#fill-model li") == before
    assert page.errors() == []


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


# ------------------------------------------------------------------ #14 any order, by hand
BYHAND_COLUMNS = ("[...document.querySelectorAll('#byhand-beliefs .bg-col .visually-hidden')]"
                  ".map(e => e.textContent)")
BYHAND_ROW = "[...document.querySelectorAll('#byhand-row .cell')].map(c => c.textContent).join('')"


def reveals(page, n):
    page.wait(f"document.querySelectorAll('#byhand-history li').length === {n}", 30)
    return page.js(BYHAND_ROW)


@pytest.mark.parametrize("engine", ENGINES)
def test_reveal_by_hand_in_any_order(pool, server, engine):
    page = trained(pool, server, engine)
    page.wait("document.querySelectorAll('#byhand-beliefs .bg-col').length === 7", 30)
    assert reveals(page, 0) == "?" * L
    before = page.js(BYHAND_COLUMNS)
    assert all("masked" in t and "Exact posterior" in t for t in before), before
    # the last position first: every other column is predicted again from the new row
    page.driver.find_elements("css selector", "#byhand-row .cell")[6].click()
    row = reveals(page, 1)
    assert row[:6] == "??????" and re.fullmatch("[a-z_]", row[6]), row
    assert page.texts("#byhand-history li")[0].startswith("Position 7 → ")
    after = page.js(BYHAND_COLUMNS)
    assert "masked" not in after[6] and after[:6] != before[:6], (before, after)
    # keyboard: the arrows move between cells, Enter reveals
    page.js("document.querySelector('#byhand-row .cell').focus()")
    page.keys("ARROW_RIGHT")
    assert page.js("document.activeElement.dataset.pos") == "1"
    page.keys("ENTER")
    assert reveals(page, 2)[1] != "?"
    page.driver.find_elements("css selector", "#byhand-row .cell")[1].click()
    page.wait("document.querySelector('#byhand-message').textContent.includes('already revealed')")
    # Space on the focused cell; the focus moves on to a masked cell after each reveal
    page.js("document.querySelector('#byhand-row .cell.mask').focus()")
    for n in range(3, L + 1):
        if page.text("#byhand-message").startswith("Done"):
            break  # a pad ends the name: the positions after it are pads too
        page.keys("SPACE")
        row = reveals(page, n)
    assert "?" not in row, row
    page.wait("document.querySelector('#byhand-message').textContent.startsWith('Done')", 30)
    name = row.rstrip("_")
    said = "a training name" if name in training_names(page) else "not a training name"
    assert f"Done: “{name}” is {said}" in page.text("#byhand-message")
    page.click("byhand-reset")
    assert reveals(page, 0) == "?" * L
    assert page.errors() == []
