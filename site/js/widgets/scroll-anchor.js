// Scroll anchoring where the browser has none (WebKit: Safari, GNOME Web). Results
// arrive late: the bound after training, a prompt that changes when a run ends. When
// such a block lies wholly above the viewport and grows or shrinks, everything the
// reader is looking at would jump by the difference. Chromium and Firefox prevent
// that themselves (CSS Scroll Anchoring, https://drafts.csswg.org/css-scroll-anchoring-1/,
// `overflow-anchor: auto`); elsewhere this scrolls the page by the same amount, in
// the frame of the change (a ResizeObserver answers after layout, before paint).
//
//   anchorScroll(document.querySelectorAll("main > section > *"));   // -> observer | null
//
// `blocks` must not contain one another (each change is counted once) and must be
// in document order (a block's old top is its new top less the changes above it).

/** Does the browser anchor scrolling itself? (`win`: the window to ask.) */
export function anchorsNatively(win = globalThis) {
  if (!win.CSS || !win.CSS.supports || !win.CSS.supports("overflow-anchor", "auto")) return false;
  const root = win.document.scrollingElement || win.document.documentElement;
  return win.getComputedStyle(root).overflowAnchor !== "none";
}

/**
 * Keep the viewport's content in place when any of `blocks` (elements, in document
 * order, none inside another) changes height while wholly above the viewport.
 * Does nothing and returns null where the browser anchors natively (see
 * `anchorsNatively`) or has no ResizeObserver; else returns the ResizeObserver.
 */
export function anchorScroll(blocks, win = globalThis) {
  if (anchorsNatively(win) || typeof win.ResizeObserver !== "function") return null;
  const heights = new Map(); // block -> its border-box height at the last answer
  const observer = new win.ResizeObserver((entries) => {
    let above = 0; // the change of the blocks of this answer before this one (px)
    let shift = 0; // what the page scrolls by
    for (const e of entries) {
      const el = e.target;
      const h = el.getBoundingClientRect().height;
      const before = heights.get(el);
      heights.set(el, h);
      if (before === undefined || h === before) continue; // first sight: nothing moved
      const oldTop = el.getBoundingClientRect().top - above;
      if (oldTop + before <= 0) shift += h - before; // it was out of sight, above
      above += h - before;
    }
    if (shift) win.scrollBy(0, shift);
  });
  for (const el of blocks) observer.observe(el);
  return observer;
}
