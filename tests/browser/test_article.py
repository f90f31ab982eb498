"""The article's text, markup and widgets as a reader meets them (#12 and #11).

True statements where the original page had false ones, one name for the page
this one grew from, the markup the JavaScript wiring fills in (data-fill keys,
new controls), the widgets' labels, contrast, and a page that never scrolls
sideways at 320 px.
"""
import re

import pytest
from conftest import open_page, wait_ready, wait_until

TRAIN_DONE = "document.querySelector('#stop').disabled && !document.querySelector('#train').disabled"
FILL_KEYS = ["n-params", "n-names", "names-origin", "L", "L-chars", "E", "H", "V", "n-letters", "letters", "floor",
             "n-pairs", "tr-floor", "tr-floor-why"]


@pytest.fixture
def page(watched):
    return watched.page


def section_text(page, section_id):
    return page.inner_text(f"#{section_id}")


def test_time_conditioning_is_explained_truthfully(page):
    model = section_text(page, "model")
    assert "how boldly to guess" not in page.inner_text("body")
    assert "does not depend on t" in model
    assert re.search(r"t\s*m\s*\(1 − t\)\s*L−m", model)  # the factor that cancels
    assert "MDLM" in model and "leaves the time input out" in model
    assert "harmless" in model and "original page" in model
    takeaways = section_text(page, "takeaways")
    assert "how much to hedge" not in takeaways and "does not need it" in takeaways
    # the experiment's place, wired by the page's script
    assert page.locator("#train-no-t").count() == 1 and page.locator("#no-t-readout").count() == 1


def test_the_sampler_is_described_truthfully(page):
    body = page.inner_text("body")
    assert "exactly the reverse of the forward process" not in body
    assert "A new name drawn from the learned distribution" not in body
    denoise = section_text(page, "denoise")
    assert "independently" in denoise
    for figure in ["63", "73", "95", "100"]:
        assert f"{figure}\u00a0%" in denoise, figure
    assert "reveals one position" in section_text(page, "answers")


def test_the_original_page_is_never_called_the_seed(page):
    body = page.inner_text("body")
    for old in ["Beyond the seed", "as in the seed", "Seed: SGD"]:
        assert old not in body, old
    assert page.locator(".toc").get_by_role("link", name="Beyond the original page").count() == 1
    assert "Original: SGD" in page.inner_text("#recipe")
    assert "Random (as on the original page)" in page.inner_text("#order")
    assert page.get_by_label("Random seed", exact=True).get_attribute("id") == "seed"


def test_v_is_defined_where_it_first_appears(page):
    first = page.locator("#model p").first.inner_text()
    assert re.search(r"V = 22 here, the 20 letters .*pad.*mask", first), first


def test_every_count_of_the_data_is_a_fill_in(page):
    for key in FILL_KEYS:
        assert page.locator(f'[data-fill="{key}"]').count() >= 1, key
    # no sentence names the data's size outside a fill-in
    text = page.evaluate("""(() => {
      const main = document.getElementById('article').cloneNode(true);
      main.querySelectorAll('[data-fill], .widget, button, #names-list, #pairs-list, #references')
          .forEach(e => e.remove());
      return main.innerText;
    })()""")
    for word in ["forty", "thirty", "40 names", "30 pairs"]:
        assert word not in text.replace("the built-in forty", ""), word


def test_translator_key_and_controls_are_there_before_training(page):
    key = page.locator("#translator-key")
    assert key.locator(".cell.question").count() >= 5
    assert key.locator(".cell.mask.answer").count() >= 1
    assert "never masked" in key.inner_text()
    for control in ["#tr-epochs", "#tr-reset", "#tr-more"]:
        assert page.locator(control).count() == 1, control
    assert page.get_by_label("Epochs", exact=True).count() == 2


def test_pad_cells_have_enough_contrast_in_light_and_dark(browser, server):
    for scheme in ["light", "dark"]:
        w = open_page(browser, server, color_scheme=scheme)
        try:
            ratio = w.page.evaluate(CONTRAST_JS)
            assert ratio >= 4.5, (scheme, ratio)
            w.check_clean()
        finally:
            w.context.close()


CONTRAST_JS = """(() => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const pad = document.querySelector('#corruption-names .cell.pad');
  const widget = document.querySelector('#corruption-widget');
  const a = lum(rgb(getComputedStyle(pad).color));
  const b = lum(rgb(getComputedStyle(widget).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})()"""


def test_play_reads_pause_while_it_plays(page):
    play = page.locator("#intro-play")
    assert play.inner_text() == "Play"
    play.click()
    assert play.inner_text() == "Pause"
    wait_until(page, "/step [12] of 5/.test(document.querySelector('#intro-ar-count').textContent)")
    play.click()
    assert play.inner_text() == "Play"
    held = page.inner_text("#intro-ar-count")
    page.wait_for_timeout(1500)
    assert page.inner_text("#intro-ar-count") == held  # paused where it was


def test_corruption_rows_are_labelled_with_their_names(page):
    tags = page.evaluate("""[...document.querySelectorAll('#corruption-names .name-row')]
        .map((row) => getComputedStyle(row, '::before').content)""")
    assert '"rahul"' in tags and len(tags) == 6


def test_timeline_labels_give_t_before_and_after_each_step(page):
    labels = page.evaluate("""(async () => {
      const { createTimeline } = await import('./js/widgets/timeline.js');
      const out = [];
      const row = (t, tokens, extra = {}) => ({ t, tokens, revealed: [], probs: [null, null], ...extra });
      for (const steps of [
        [row(1, '??'), row(1, 'a?'), row(0.5, 'ab')],                    // results with only t
        [row(1, '??', { t_from: 1, t_to: 1 }), row(1, 'a?', { t_from: 1, t_to: 0.5 }),
         row(0.5, 'ab', { t_from: 0.5, t_to: 0 })],
      ]) {
        const div = document.createElement('div');
        createTimeline(div).show(steps);
        out.push([...div.querySelectorAll('.tl-label')].map((e) => e.textContent));
      }
      return out;
    })()""")
    want = ["start · t 1.00", "step 1 · t 1.00 → 0.50", "step 2 · t 0.50 → 0.00"]
    assert labels == [want, want]


def test_standard_errors_never_read_as_exact_zeros(page):
    shown = page.evaluate("""(async () => {
      const { err } = await import('./js/format.js');
      return [0.0123, 0.0004, 0.00049, 0.0000012, 0, NaN].map(err);
    })()""")
    # 3 decimals as beside the values, else one significant digit; 0 only when exact
    assert shown == ["0.012", "0.0004", "0.0005", "0.000001", "0", "–"]


def test_candidate_percentages_never_claim_certainty_beside_a_rival(page):
    # a top character at 0.9968 beside one at 0.0031 read "100%" and "0.3%" (section VIII)
    shown = page.evaluate("""(async () => {
      const { share } = await import('./js/format.js');
      return [1, 0.99968, 0.9968, 0.987, 0.41, 0.0996, 0.0031, 0.0004, 0, NaN].map(share);
    })()""")
    assert shown == ["100%", ">99.9%", "99.7%", "99%", "41%", "10.0%", "0.3%", "<0.1%", "0%", "–"]
    # shown together, the shares add up as the numbers do: one decimal for all when one needs it
    together = page.evaluate("""import('./js/format.js').then(({ shares }) =>
      [shares([0.975, 0.025]), shares([0.5, 0.3, 0.2]), shares([0.41, 0.0996])])""")
    assert together == [["97.5%", "2.5%"], ["50%", "30%", "20%"], ["41.0%", "10.0%"]]


def test_charts_name_their_units_and_the_band_floor(page):
    assert "nats per position" in page.inner_html("#loss-chart")
    drawn = page.evaluate("""(async () => {
      const { createBarChart } = await import('./js/widgets/bar-chart.js');
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      document.body.append(svg);
      const chart = createBarChart(svg);
      chart.show([{ t_lo: 0, t_hi: 0.5, loss: 0.2, floor: 0.1 }, { t_lo: 0.5, t_hi: 1, loss: 0.9, floor: 0.7 }]);
      const result = [svg.querySelectorAll('.band-floor').length, svg.textContent];
      svg.remove();
      return result;
    })()""")
    assert drawn[0] == 3  # one dash per band, and the key
    assert "nats per position" in drawn[1] and "best possible" in drawn[1]
    # a tallest bar just under a gridline (the ELBO weighting's top band, 1.47) keeps its
    # value clear of the key above the plot
    clash = page.evaluate("""(async () => {
      const { createBarChart } = await import('./js/widgets/bar-chart.js');
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.style.width = '640px';
      document.body.append(svg);
      const chart = createBarChart(svg);
      const losses = [0.05, 0.09, 0.12, 0.19, 0.27, 0.41, 0.63, 0.88, 1.10, 1.47];
      chart.show(losses.map((loss, i) => ({ t_lo: i / 10, t_hi: (i + 1) / 10, loss, floor: 0.9 * loss })));
      const key = [...svg.querySelectorAll('text')].find((t) => t.textContent === 'best possible').getBBox();
      const out = [...svg.querySelectorAll('text.bar-value')].map((t) => t.getBBox())
        .filter((b) => b.x < key.x + key.width && key.x < b.x + b.width && b.y < key.y + key.height && key.y < b.y + b.height).length;
      const values = svg.querySelectorAll('text.bar-value').length;
      svg.remove();
      return [out, values];
    })()""")
    assert clash == [0, 10], clash
    assert "Examples per second" in page.inner_text("#train-widget")
    caption = page.inner_text("#train-widget figcaption")
    assert "below the floor" in caption and "expectation" in caption


def test_the_share_of_new_names_speaks_of_the_rest_only_when_there_is_one(page):
    lines = page.evaluate("""(async () => {
      const { createSamples } = await import('./js/widgets/samples.js');
      const list = document.createElement('ol'), novelty = document.createElement('p');
      const s = createSamples({ list, novelty, onPick: () => {} });
      return [5, 2, 0].map((fresh) => {
        s.show({ samples: [0, 1, 2, 3, 4].map((i) => ({ text: 'ab', new: i < fresh })) });
        return novelty.textContent;
      });
    })()""")
    assert lines == ["New names: 5 of 5 (100%).",
                     "New names: 2 of 5 (40%); the rest are training names.",
                     "New names: 0 of 5 (0%); all are training names."]


def test_no_blank_measurement_box_before_training(page):
    assert not page.is_visible("#by-t-chart")
    assert page.inner_text("#eval-widget").count("Measured after training.") == 1


def test_the_load_model_control_looks_like_a_button_and_keeps_its_label(page):
    assert page.get_by_label("Load model").get_attribute("type") == "file"
    style = page.evaluate("""(() => {
      const b = getComputedStyle(document.querySelector('#download-model'));
      const f = getComputedStyle(document.querySelector('#load-model'), '::file-selector-button');
      return [b.borderRadius, f.borderRadius, b.minHeight, f.minHeight, b.fontWeight, f.fontWeight];
    })()""")
    assert style[0] == style[1] and style[2] == style[3] and style[4] == style[5], style


def test_the_live_prediction_sits_beside_the_loss_chart(browser, server):
    w = open_page(browser, server, viewport={"width": 1280, "height": 900})
    try:
        chart = w.page.locator("#loss-chart").bounding_box()
        pred = w.page.locator("#prediction").bounding_box()
        assert pred["x"] >= chart["x"] + chart["width"], (chart, pred)
        assert pred["y"] < chart["y"] + chart["height"]
        w.check_clean()
    finally:
        w.context.close()


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


LONG_NAMES = "\n".join(["abcdefghijkl", "mnopqrstuvwx", "bartholomews", "christophers",
                        "maximilianus", "wilhelminaaa"])


def test_nothing_scrolls_sideways_at_320_px(browser, server):
    w = open_page(browser, server, viewport={"width": 320, "height": 700})
    try:
        page = w.page
        assert overflow(page) <= 0, "at load"
        wait_ready(page)
        page.fill("#names-data", LONG_NAMES)
        page.click("#use-names")
        wait_until(page, "document.querySelector('#data-message').dataset.kind === 'ok'")
        assert overflow(page) <= 0, "own 12-letter names"
        page.select_option("#epochs", "200")
        page.click("#train")
        wait_until(page, "!document.querySelector('#stop').disabled")
        assert overflow(page) <= 0, "training"
        wait_until(page, TRAIN_DONE, timeout=90_000)
        page.click("#generate")
        wait_until(page, "document.querySelectorAll('#samples li').length === 15")
        assert overflow(page) <= 0, "generated"
        page.fill("#names-data", "ab\ncd\n1x")
        page.click("#use-names")
        wait_until(page, "document.querySelector('#data-message').dataset.kind === 'error'")
        assert overflow(page) <= 0, "an error showing"
        page.click("#train-translator")
        wait_until(page, "/\\d+\\s*\\/\\s*\\d+/.test(document.querySelector('#accuracy').innerText)",
                   timeout=90_000)
        page.get_by_label("English word").fill("water")
        page.click("#translate")
        wait_until(page, "document.querySelector('#translation').innerText.startsWith('water')")
        assert overflow(page) <= 0, "translated"
        page.get_by_label("English word").fill("x" * 30)
        page.click("#translate")
        wait_until(page, "document.querySelector('#translator-message').dataset.kind === 'error'")
        assert overflow(page) <= 0, "a translator error showing"
        w.check_clean()
    finally:
        w.context.close()


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV"]


def test_every_numbered_section_matches_its_place_in_the_contents(page):
    """The contents list counts in upper-roman; each heading's numeral is its place there,
    and every "section N" the text points to is a heading with that numeral."""
    toc = page.eval_on_selector_all(
        "nav.toc ol > li > a", "as => as.map(a => a.getAttribute('href').slice(1))")
    numbered = page.eval_on_selector_all(
        "h2 .num", "ns => ns.map(n => [n.closest('section').id, n.textContent.trim()])")
    assert len(numbered) == len(toc) >= 12, (toc, numbered)
    for i, (section, num) in enumerate(numbered):
        assert (section, num) == (toc[i], ROMAN[i] + "."), (i, toc, numbered)
    titles = {num.rstrip("."): section for section, num in numbered}
    for ref in set(re.findall(r"\bsections? ([IVX]+)\b", page.inner_text("body"))):
        assert ref in titles, ref
    beliefs = section_text(page, "beliefs")
    assert "translator's timeline (section XII)" in beliefs and titles["XII"] == "answers"


def test_the_learning_rate_display_shows_the_recipes_schedule(page):
    """Default: the rate falls to 0 along a cosine; the original page's: constant."""
    assert page.inner_text("#lr-value").strip() == "0.03 → 0, cosine"
    assert page.get_attribute("#lr", "aria-valuetext") == "0.03 → 0, cosine"
    page.select_option("#recipe", "seed")
    wait_until(page, "document.querySelector('#lr-value').textContent === '0.01, constant'")
    page.select_option("#recipe", "default")
    wait_until(page, "document.querySelector('#lr-value').textContent === '0.03 → 0, cosine'")
