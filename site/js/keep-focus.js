// Keyboard focus survives a button that disables itself while its work runs (Train,
// Generate, Compare samplers, Plot quality…). A disabled button drops the focus to
// <body>, where a keyboard reader loses their place and sees no focus ring. So:
//   - the button's `data-busy-focus` names a control to take the focus meanwhile (Train's
//     is Stop), if that control is enabled by then;
//   - otherwise the focus comes back to the button once it is enabled again, unless the
//     reader has put it somewhere else in between.
// The page never scrolls for it (preventScroll): a reader who scrolled away while a run
// trained is not pulled back when it ends.
//
//   keepFocus(document);   // once, from main.js

export function keepFocus(root = document) {
  let waiting = null; // a button that lost the focus by being disabled
  const lost = () => root.activeElement === null || root.activeElement === root.body;
  let last = null; // the element focused most recently (focusout has no target left to ask)
  // A disabled button may keep the focus until the browser's next rendering update moves it
  // to <body> (the focus fixup), and a window without the system's focus gets no focus
  // events: a button still focused, or the last one focused when nothing is, counts as lost.
  const lostFrom = (button) => root.activeElement === button || (lost() && last === button);
  root.addEventListener("focusin", (e) => {
    last = e.target;
    waiting = null; // the reader (or the page) put the focus somewhere: nothing to give back
  });
  root.addEventListener("focusout", (e) => { // to nowhere, and not by being disabled: the reader's
    if (!e.relatedTarget && !e.target.disabled) last = null;
  });
  new MutationObserver((records) => {
    for (const { target } of records) {
      if (!(target instanceof HTMLButtonElement)) continue;
      if (target.disabled && lostFrom(target)) {
        const partner = target.dataset.busyFocus && root.getElementById(target.dataset.busyFocus);
        if (partner && !partner.disabled) partner.focus({ preventScroll: true });
        else waiting = target;
      } else if (!target.disabled && target === waiting && lost()) {
        waiting = null;
        target.focus({ preventScroll: true });
      }
    }
    // Stop was enabled after Train was disabled (the same task, a later record or tick)
    if (waiting && lostFrom(waiting) && waiting.dataset.busyFocus) {
      const partner = root.getElementById(waiting.dataset.busyFocus);
      if (partner && !partner.disabled) partner.focus({ preventScroll: true });
    }
  }).observe(root.body, { subtree: true, attributes: true, attributeFilter: ["disabled"] });
}
