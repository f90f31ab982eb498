"""Formulas are never clipped unseen, the contents' columns line up, and a stalled start
(not a slow one) is reported: in Chromium. tests/engines checks the layout in Firefox
and WebKit too."""
import pytest
from conftest import open_page, wait_ready, wait_until
from layout_checks import CLIPPED_FORMULAS, LATE_RESULT_ABOVE, OVERFLOWING_FORMULAS, TOC_COLUMNS


@pytest.mark.parametrize("width", [1280, 360])
def test_no_formula_is_clipped_without_a_cue_and_the_toc_columns_line_up(browser, server, width):
    w = open_page(browser, server, viewport={"width": width, "height": 800})
    try:
        page = w.page
        page.wait_for_selector(".math.display .katex", timeout=10_000)
        assert page.evaluate(CLIPPED_FORMULAS) == []
        # every display formula fits, on a phone too (the two widest are set on two lines);
        # one that did not would scroll, with the cue checked above
        assert page.evaluate(OVERFLOWING_FORMULAS) == 0
        tops = page.evaluate(TOC_COLUMNS)
        assert len(tops) == (2 if width > 520 else 1)
        assert max(tops) - min(tops) <= 1, tops
        w.check_clean()
    finally:
        w.context.close()


def test_a_result_arriving_above_the_reader_does_not_move_what_they_read(browser, server):
    """Chromium anchors scrolling itself; with that turned off (as WebKit has none) the
    page's own anchoring (widgets/scroll-anchor.js) must keep the timeline in place."""
    w = open_page(browser, server, viewport={"width": 1280, "height": 800})
    try:
        page = w.page
        wait_ready(page)  # Python's loading status and the prompts no longer change
        native = page.evaluate(LATE_RESULT_ABOVE)
        assert native["out"] < 0 and native["grew"] > 200, native  # out of sight, and big
        assert abs(native["after"] - native["before"]) <= 1, native  # the browser's anchoring
        # without any anchoring the timeline jumps by the growth: the case to cover
        page.evaluate("document.documentElement.style.overflowAnchor = 'none'")
        bare = page.evaluate(LATE_RESULT_ABOVE)
        assert abs(bare["after"] - bare["before"] - bare["grew"]) <= 1, bare
        # the page's anchoring, as it starts where the browser has none (main.js)
        started = page.evaluate("import('./js/widgets/scroll-anchor.js').then(m => [m.anchorsNatively(),"
                                " !!m.anchorScroll(document.querySelectorAll("
                                "'header.hero > *, main > section > *'))])")
        assert started == [False, True]
        ours = page.evaluate(LATE_RESULT_ABOVE)
        assert ours["grew"] > 200 and abs(ours["after"] - ours["before"]) <= 1, ours
        assert abs(ours["back"] - ours["before"]) <= 1, ours  # and when it shrinks back
        # a block the reader can see is left to move (the change is in view)
        moved = page.evaluate("""(async () => {
          const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
          const msg = document.querySelector('#sample-message');
          msg.scrollIntoView({block: 'start'});
          await frame();
          const y = scrollY;
          msg.textContent = 'A message of many words. '.repeat(40);
          await frame();
          return scrollY - y; })()""")
        assert moved == 0
        w.check_clean()
    finally:
        w.context.close()


# A stand-in worker: `count` statuses `every` ms apart, then "ready", nothing (idle: it
# still answers pings) or `busy` ms of blocking work before "ready".
FAKE_WORKER = """
const q = new URL(self.location.href).searchParams;
const count = Number(q.get('count')), every = Number(q.get('every')), then = q.get('then');
self.onmessage = (e) => {
  if (e.data.type === 'ping') self.postMessage({id: e.data.id, type: 'reply', ok: true, result: 'pong'});
};
let n = 0;
const tick = () => {
  n += 1;
  self.postMessage({type: 'status', stage: 'numpy', message: `step ${n} of ${count}`});
  if (n < count) return setTimeout(tick, every);
  if (then === 'stall') return;
  if (then.startsWith('busy')) {
    const end = Date.now() + Number(then.slice(4));
    while (Date.now() < end) { /* compiling, say */ }
  }
  self.postMessage({type: 'ready', seconds: 0, versions: {}});
};
setTimeout(tick, every);
"""

START = """async ([count, every, then, stallMs, busyLimitMs]) => {
  const { Engine } = await import('./js/engine.js');
  const url = new URL(`fake-worker.js?count=${count}&every=${every}&then=${then}`, location.href);
  const t0 = performance.now();
  const e = new Engine({ workerUrl: url, stallMs, busyLimitMs });
  try { await e.ready; return {ok: true, ms: performance.now() - t0}; }
  catch (err) { return {ok: false, kind: err.kind, message: err.message, ms: performance.now() - t0}; }
}"""


@pytest.fixture
def fake_worker_page(browser, server):
    w = open_page(browser, server)
    w.context.route("**/fake-worker.js*", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=FAKE_WORKER))
    wait_until(w.page, "document.readyState === 'complete'")
    yield w.page
    w.context.close()


def test_a_slow_but_progressing_start_is_not_a_failure(fake_worker_page):
    """Ten statuses 400 ms apart (4 s in all) against a 2.5 s stall limit: ready."""
    out = fake_worker_page.evaluate(START, [10, 400, "ready", 2500, 60_000])
    assert out["ok"], out
    assert out["ms"] > 2500  # longer than the limit: only a fixed time-out would cut it


def test_a_busy_silent_worker_is_given_time(fake_worker_page):
    """6 s of blocking work, no status, against a 2.5 s stall limit: busy, not stalled.
    (The limits leave a loaded machine time to start the worker itself.)"""
    out = fake_worker_page.evaluate(START, [1, 50, "busy6000", 2500, 60_000])
    assert out["ok"], out
    assert out["ms"] > 6000


def test_a_stalled_start_fails_and_names_its_stage(fake_worker_page):
    """Idle (it answers a ping at once) and silent for the stall limit: a failure."""
    out = fake_worker_page.evaluate(START, [2, 100, "stall", 2500, 60_000])
    assert not out["ok"] and out["kind"] == "timeout", out
    assert "stalled at the numpy stage" in out["message"] and "step 2 of 2" in out["message"], out
    assert 2500 <= out["ms"] < 15_000, out


def test_a_worker_busy_past_the_limit_fails(fake_worker_page):
    out = fake_worker_page.evaluate(START, [1, 50, "busy15000", 2500, 3000])
    assert not out["ok"] and out["kind"] == "timeout", out
    assert "busy" in out["message"] and "numpy" in out["message"], out
    assert out["ms"] < 14_000, out  # before the worker would have finished


def test_on_a_phone_a_checkbox_stays_beside_its_label(browser, server):
    w = open_page(browser, server, viewport={"width": 360, "height": 800})
    try:
        boxes = w.page.evaluate("""[...document.querySelectorAll('.check-field')].map(f => {
          const box = f.querySelector('input').getBoundingClientRect();
          const label = f.querySelector('label').getBoundingClientRect();
          return {id: f.querySelector('input').id, box: [box.left, box.right, box.top, box.bottom],
                  label: [label.left, label.right, label.top, label.bottom]}; })""")
        assert boxes, "no checkbox field on the page"
        for b in boxes:
            (bl, br, bt, bb), (ll, lr, lt, lb) = b["box"], b["label"]
            assert bl >= 0, b
            assert br <= ll and lt <= (bt + bb) / 2 <= lb and lr <= 360, b
        w.check_clean()
    finally:
        w.context.close()
