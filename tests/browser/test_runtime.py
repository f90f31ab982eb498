"""The runtime the page stands on: Pyodide in a worker, the protocol, parity, offline."""
import pytest
from conftest import DIST, Server, open_page, wait_ready, wait_until

from diffusion_core.dataset import builtin
from diffusion_core.train import Trainer, get_recipe

TRAIN = """async ([task, recipe, epochs, seed]) => {
  const e = window.tinyDiffusion.engine;
  const losses = [];
  const r = await e.train({task, fresh: true, start: {task, recipe, epochs, seed}, epochs},
                          p => losses.push(...p.losses));
  return {losses, result: r};
}"""


def test_page_reaches_ready_under_a_subpath_without_leaving_the_origin(ready, server):
    page = ready.page
    assert page.url.startswith(server.url)
    versions = page.evaluate("window.tinyDiffusion.engine.versions")
    assert versions["pyodide"] == "0.27.7" and versions["numpy"].startswith("2.0")
    assert any("/pyodide/diffusion_core-" in u for u in ready.requests)
    assert ready.foreign_requests() == []


def test_the_warm_up_after_ready_finishes_and_leaves_the_readers_state_alone(ready):
    page = ready.page
    wait_until(page, "performance.getEntriesByName('warm-up-done').length > 0", timeout=60_000)
    described = page.evaluate("window.tinyDiffusion.engine.call('describe', {})")
    assert described["history"] == [] and not described["has_model"], described
    assert page.is_disabled("#generate")  # no names model appeared
    assert page.evaluate("document.querySelector('#status').dataset.state") == "ready"


def test_training_through_the_protocol_lowers_the_loss(ready):
    out = ready.page.evaluate(TRAIN, ["names", "default", 20, 1])
    losses = out["losses"]
    assert len(losses) == 20 and out["result"]["epoch"] == 20
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.3


@pytest.mark.parametrize("task, recipe", [("names", "seed"), ("names", "default"),
                                          ("translate", "default")])
def test_browser_losses_equal_cpython_losses(ready, task, recipe):
    """Parity: the page runs the very package the tests check."""
    # the page asks for 20 epochs, so its schedule spans 20 epochs: the same recipe here
    cpython = Trainer(builtin(task), get_recipe(task, recipe, epochs=20), seed=7).run(20)
    browser = ready.page.evaluate(TRAIN, [task, recipe, 20, 7])["losses"]
    assert len(browser) == 20
    assert max(abs(a - b) for a, b in zip(browser, cpython)) < 1e-9


def test_stop_mid_run_then_go_on(ready):
    page = ready.page
    out = page.evaluate("""async () => {
      const e = window.tinyDiffusion.engine;
      let seen = 0;
      const run = e.train({task: "names", fresh: true,
                           start: {task: "names", recipe: "seed", epochs: 100000, seed: 0},
                           epochs: 100000}, p => { seen = p.epoch; });
      while (seen < 3) await new Promise(r => setTimeout(r, 10));
      const t0 = performance.now();
      await e.stop();
      const stopMs = performance.now() - t0;
      const first = await run;
      const more = await e.train({task: "names", fresh: false, epochs: 5}, () => {});
      return {stopMs, first, more};
    }""")
    assert out["first"]["stopped"] is True
    assert out["first"]["epoch"] < 100000
    assert out["stopMs"] < 1000  # generous here; `make bench` reports the real figure
    assert out["more"]["epoch"] == out["first"]["epoch"] + 5
    assert out["more"]["stopped"] is False


def test_a_second_train_stops_the_first(ready):
    out = ready.page.evaluate("""async () => {
      const e = window.tinyDiffusion.engine;
      const start = {task: "names", recipe: "seed", epochs: 100000, seed: 0};
      const a = e.train({task: "names", fresh: true, start, epochs: 100000}, () => {});
      await new Promise(r => setTimeout(r, 200));
      const b = e.train({task: "names", fresh: true, start: {...start, epochs: 3}, epochs: 3},
                        () => {});
      return {a: await a, b: await b};
    }""")
    assert out["a"]["stopped"] is True
    assert out["b"]["epoch"] == 3 and out["b"]["stopped"] is False


def test_offline_after_one_visit(browser):
    """Load once, kill the server, reload: the service worker serves everything."""
    srv = Server()
    w = open_page(browser, srv, service_workers="allow")
    try:
        page = w.page
        wait_ready(page)
        wait_until(page, "navigator.serviceWorker.controller !== null ||"
                               " navigator.serviceWorker.ready.then(() => true)")
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()  # now controlled by the service worker, which has precached dist/
        wait_ready(page)
        wait_until(page, "navigator.serviceWorker.controller !== null")
        srv.stop()
        w.allowed_errors.append("Failed to load resource")  # e.g. the favicon, uncached
        page.reload()
        wait_ready(page)
        out = page.evaluate(TRAIN, ["names", "default", 5, 0])
        assert len(out["losses"]) == 5
        assert page.evaluate("navigator.serviceWorker.controller !== null")
    finally:
        w.context.close()
    assert w.foreign_requests() == []


def test_opened_from_a_file_the_page_says_how_to_serve_it(browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((DIST / "index.html").as_uri())
        wait_until(page, "document.querySelector('#status').dataset.state === 'failed'",
                   timeout=10_000)
        help_text = page.inner_text("#status")
        assert "make serve" in help_text and "http.server" in help_text
        assert "Text Diffusion" in page.inner_text("h1")  # the article itself is readable
    finally:
        context.close()
