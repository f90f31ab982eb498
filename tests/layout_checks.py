"""Layout checks that run in any engine (JavaScript expressions for Playwright or Selenium).

- ``CLIPPED_FORMULAS``: the ``.formula`` / ``.math.display`` elements whose content is
  wider than their box with no visible cue; [] when none. The cue is the scroll shadow
  of site/css/main.css: gradients that scroll with the content ("local") over shadows
  fixed to the box ("scroll"), so the shadow on a cut edge shows and the other is covered.
- ``TOC_COLUMNS``: the contents list's columns, each as the top (px) of its first item.
- ``LATE_RESULT_ABOVE``: does a result that arrives above the viewport move what the
  reader looks at? (Scroll anchoring: the browser's own, or widgets/scroll-anchor.js.)
  Its ``others`` is how far the document's height moved, while it measured, by anything
  but its own result (px): a page still settling on a busy machine; 0 for a clean measure.
"""

CLIPPED_FORMULAS = """[...document.querySelectorAll('.formula, .math.display')].filter(el => {
  if (el.scrollWidth <= el.clientWidth) return false;
  const cs = getComputedStyle(el);
  const gradients = (cs.backgroundImage.match(/gradient\\(/g) || []).length;
  const cue = /auto|scroll/.test(cs.overflowX) && gradients >= 4
    && cs.backgroundAttachment.includes('local') && cs.backgroundAttachment.includes('scroll')
    && getComputedStyle(document.documentElement).getPropertyValue('--scroll-cue').trim() !== '';
  return !cue;
}).map(el => `${el.className} "${el.textContent.slice(0, 40)}": `
  + `${el.scrollWidth} > ${el.clientWidth}`)"""

TOC_COLUMNS = """(() => {
  const columns = new Map();  // left edge -> top of the first item there
  for (const li of document.querySelectorAll('nav.toc ol > li')) {
    const r = li.getBoundingClientRect();
    const left = Math.round(r.left);
    if (!columns.has(left)) columns.set(left, r.top);
  }
  return [...columns.values()];
})()"""

OVERFLOWING_FORMULAS = """[...document.querySelectorAll('.math.display')]
  .filter(el => el.scrollWidth > el.clientWidth).length"""

# A result arrives above the reader: once the page is ready and still, with the Generate
# timeline in the middle of the viewport, a line beside the bound's readout of section IV
# (wholly above) grows by many lines, then shrinks back. Returns the timeline's top (px,
# in the viewport) before, after and back, that line's bottom at the start (< 0: out of
# sight) and its growth (px).
LATE_RESULT_ABOVE = """(async () => {
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const target = document.querySelector('#timeline');
  // a readout of our own beside the bound's, which the page never writes to (a model
  // restored at ready may rewrite the real one while this runs)
  const readout = document.createElement('p');
  readout.className = 'readout-line';
  readout.textContent = '.';
  document.querySelector('#elbo-readout').after(readout);
  // first the page's own changes settle (a loading status, a prompt, a fill-in): the
  // timeline's place in the document unchanged for 0.5 s (at most 15 s)
  const place = () => target.getBoundingClientRect().top + scrollY;
  for (let last = place(), since = performance.now(), t0 = since; performance.now() - t0 < 15000;) {
    await new Promise(r => setTimeout(r, 100));
    const now = place();
    if (Math.abs(now - last) > 0.5) { last = now; since = performance.now(); }
    else if (performance.now() - since >= 500) break;
  }
  target.scrollIntoView({block: 'center'});
  await frame();
  const height = () => document.documentElement.scrollHeight;
  const d0 = height();
  const before = target.getBoundingClientRect().top;
  const out = readout.getBoundingClientRect().bottom;
  const h0 = readout.getBoundingClientRect().height;
  readout.textContent = 'A late result of many words. '.repeat(40);
  await frame();
  const grew = readout.getBoundingClientRect().height - h0;
  const after = target.getBoundingClientRect().top;
  const d1 = height();
  readout.textContent = '.';
  await frame();
  const back = target.getBoundingClientRect().top;
  const others = Math.abs(d1 - d0 - grew) + Math.abs(height() - d0);
  readout.remove();
  return {before, after, back, out, grew, others};
})()"""
