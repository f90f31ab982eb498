"""The lab's quality against steps (section X): every rule at every step budget, the trained
model beside the exact posterior, with progress, Stop, intervals and a phone's width."""
import math

from conftest import wait_until
from test_lab_samplers import QUALITY_IDLE, train_names

# each interval bar of the quality chart, as pixel rows: [low end, high end, its dot's cy]
ERR_BARS = """[...document.querySelectorAll('#quality-chart path.err')].map(p => {
    const ys = [...p.getAttribute('d').matchAll(/[MH]([\\d.-]+) ([\\d.-]+)|V([\\d.-]+)/g)]
      .map(m => Number(m[2] ?? m[3]));
    return [ys[0], ys[ys.length - 1], Number(p.nextElementSibling.getAttribute('cy'))]; })"""


def quality_cells(page):
    return page.evaluate("""[...document.querySelectorAll('#quality-table tbody tr')].map(tr =>
        [tr.querySelector('th').textContent, ...[...tr.querySelectorAll('td')].map(td => td.textContent)])""")


def test_quality_against_steps_runs_with_progress_and_stops(ready):
    page = ready.page
    train_names(page)
    page.select_option("#quality-n", "16")
    page.click("#quality-run")
    wait_until(page, "!document.querySelector('#quality-stop').disabled")
    progress = wait_until(page, "(() => { const v = document.querySelector('#quality-progress').value;"
                                " return v > 0 && v < 1 ? v : 0; })()", timeout=30_000)
    assert 0 < progress < 1
    wait_until(page, QUALITY_IDLE, timeout=120_000)
    assert page.evaluate("document.querySelector('#quality-progress').value") == 1
    assert "86 cells" in page.inner_text("#quality-message")
    for metric in ["training_share", "novelty", "distinct", "removed_mass", "tv", "nfe"]:
        page.select_option("#quality-metric", metric)
        wait_until(page, f"document.querySelector('#quality-table').dataset.measure === '{metric}'")
        rows = quality_cells(page)
        assert len(rows) == 14  # 7 rules x (model, oracle)
        for head, *cells in rows:
            assert len(cells) == 7 and all(c != "–" for c in cells), (metric, head, cells)
            values = [float(c.rstrip("%")) for c in cells]
            assert all(math.isfinite(v) and v >= 0 for v in values), (metric, head, cells)
    page.select_option("#quality-metric", "training_share")
    wait_until(page, "document.querySelector('#quality-table').dataset.measure === 'training_share'")
    oracle_ltr = dict((r[0], r[1:]) for r in quality_cells(page))["Left to right, oracle"]
    assert oracle_ltr == ["100.0%"] * 7  # the exact posterior, one position per step: only training names
    assert page.locator("#quality-chart path.series").count() == 14
    assert "training names" in page.get_attribute("#quality-chart", "aria-label")
    # the coloured rule's shares carry 95 % intervals: one bar per point, around its dot
    bars = page.evaluate(ERR_BARS)
    assert len(bars) == 14, bars  # the chosen rule, model and oracle, 7 budgets each
    for lo_y, hi_y, cy in bars:
        assert hi_y <= cy <= lo_y, (lo_y, hi_y, cy)
    assert sum(lo_y - hi_y for lo_y, hi_y, _ in bars) > 0  # 16 names: most bars have width
    assert "95 % interval" in page.get_attribute("#quality-chart", "aria-label")
    # Wilson's interval, as published: 8 of 16 gives 0.280 to 0.720; 0 of 16 is not [0, 0]
    w = page.evaluate("import(new URL('js/sections/quality.js', document.baseURI).href)"
                      ".then(m => [m.wilson(0.5, 16), m.wilson(0, 16), m.wilson(1, 16)])")
    assert [round(v, 3) for v in w[0]] == [0.28, 0.72]
    assert w[1][0] == 0 and round(w[1][1], 3) == 0.194
    assert round(w[2][0], 3) == 0.806 and w[2][1] == 1
    page.select_option("#quality-metric", "nfe")  # not a share: no interval
    wait_until(page, "document.querySelector('#quality-table').dataset.measure === 'nfe'")
    assert page.evaluate(ERR_BARS) == []
    # "Rule in colour" picks another rule's curves without leaving the plot
    coloured = ("[...document.querySelectorAll('#quality-chart path.series.highlight')]"
                ".map(p => p.querySelector('title').textContent)")
    rule = page.text_content("#quality-rule")  # section IX's Sampler, whatever it is now
    assert sorted(page.evaluate(coloured)) == [f"{rule}, oracle", f"{rule}, trained model"]
    assert page.input_value("#quality-highlight") == page.input_value("#lab-sampler") != "llada"
    page.select_option("#quality-highlight", "llada")
    wait_until(page, "document.querySelector('#quality-rule').textContent === 'Low-confidence remasking'")
    wait_until(page, "document.querySelectorAll('#quality-table tr.highlight').length === 2")
    assert sorted(page.evaluate(coloured)) == ["Low-confidence remasking, oracle",
                                               "Low-confidence remasking, trained model"]
    assert [r[0] for r in page.evaluate("""[...document.querySelectorAll('#quality-table tr.highlight')]
        .map(tr => [tr.querySelector('th').textContent])""")] == [
        "Low-confidence remasking, trained model", "Low-confidence remasking, oracle"]
    assert page.input_value("#lab-sampler") == "llada"

    # Stop: a bigger run stops before it finishes and says so
    page.select_option("#quality-n", "256")
    page.click("#quality-run")
    wait_until(page, "document.querySelector('#quality-progress').value > 0")
    page.click("#quality-stop")
    wait_until(page, QUALITY_IDLE, timeout=30_000)
    assert "Stopped after" in page.inner_text("#quality-message")
    assert page.evaluate("document.querySelector('#quality-progress').value") < 1


# the quality chart's text as laid out: [tick label heights in px], viewBox width, rendered width
CHART_TEXT = """(() => { const svg = document.querySelector('#quality-chart');
  return [[...svg.querySelectorAll('.labels text, .axis-title')].map(t => t.getBoundingClientRect().height),
          svg.viewBox.baseVal.width, svg.getBoundingClientRect().width]; })()"""


def test_the_quality_chart_keeps_readable_text_on_a_phone(ready):
    page = ready.page
    page.set_viewport_size({"width": 360, "height": 800})
    train_names(page)
    page.select_option("#quality-n", "8")
    page.click("#quality-run")
    wait_until(page, QUALITY_IDLE + " && document.querySelector('#quality-message').dataset.kind === 'ok'",
               timeout=120_000)
    # the viewBox follows the width on the page, so text keeps its CSS size (not 640 px squeezed)
    wait_until(page, "Math.abs(document.querySelector('#quality-chart').viewBox.baseVal.width"
                     " - document.querySelector('#quality-chart').getBoundingClientRect().width) <= 1")
    heights, view_w, shown_w = page.evaluate(CHART_TEXT)
    assert shown_w < 400 and heights and min(heights) >= 9, (heights, view_w, shown_w)
    # the y axis's title (with its unit) lies inside the chart, clear of the legend above
    # and of every tick label
    clash = page.evaluate("""(() => {
      const box = (e) => e.getBoundingClientRect();
      const svg = document.querySelector('#quality-chart');
      const title = box(svg.querySelector('.y-title'));
      const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
        && b.top < a.bottom;
      const legend = box(svg.closest('figure').querySelector('.legend'));
      return {text: svg.querySelector('.y-title').textContent,
              inside: title.left >= box(svg).left - 1 && title.right <= box(svg).right + 1
                && title.top >= box(svg).top - 1,
              legend: meet(title, legend),
              ticks: [...svg.querySelectorAll('.labels text')].filter(t => meet(title, box(t)))
                .length}; })()""")
    assert clash["text"].startswith("training names") and clash["inside"], clash
    assert not clash["legend"] and clash["ticks"] == 0, clash
    # the wide table scrolls in its own box (with a cue), not the whole figure
    sideways = "((e) => e.scrollWidth - e.clientWidth)"
    assert page.evaluate(f"{sideways}(document.querySelector('#quality-widget'))") <= 1
    assert page.evaluate("getComputedStyle(document.querySelector('#quality-table').parentElement)"
                         ".overflowX") == "auto"
    # ... and its caption wraps within that box, so no word of it is cut off
    wait_until(page, "document.querySelector('#quality-table caption') !== null")
    caption, box = page.evaluate("""[document.querySelector('#quality-table caption'),
      document.querySelector('#quality-table').parentElement].map(e => e.getBoundingClientRect().right)""")
    assert caption <= box + 1, (caption, box)
    # Reveal by hand: the seven positions wrap on a phone, none is cut off
    wait_until(page, "document.querySelectorAll('#byhand-beliefs .bg-col').length === 7")
    assert page.evaluate(f"{sideways}(document.querySelector('#byhand-beliefs'))") <= 1
