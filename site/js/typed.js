// What the reader typed or chose in the boxes the address does not keep (a pattern,
// a word, how many names per cell), kept for this tab in sessionStorage so that a
// reload gives it back. Values go back through `.value` only: text is never markup.
// Storage may be refused (private windows, disabled storage): then nothing is kept,
// and nothing throws.
//
//   keepTyped(["pattern", "word", "quality-n"]);   // ids of inputs and selects

const PREFIX = "tiny-text-diffusion:typed:";

function store() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // access itself can throw where storage is disabled
  }
}

/** Give each element of `ids` its value from this tab's last visit, and keep new ones. */
export function keepTyped(ids, doc = document) {
  const s = store();
  if (!s) return;
  for (const id of ids) {
    const el = doc.getElementById(id);
    if (!el) continue;
    let saved = null;
    try {
      saved = s.getItem(PREFIX + id);
    } catch { /* refused: keep the page's own value */ }
    // a select takes only one of its options; anything else keeps the page's value
    if (saved !== null && (el.tagName !== "SELECT" || [...el.options].some((o) => o.value === saved))) el.value = saved;
    const keep = () => {
      try {
        s.setItem(PREFIX + id, el.value);
      } catch { /* full or refused: the value is only not kept */ }
    };
    el.addEventListener(el.tagName === "SELECT" ? "change" : "input", keep);
  }
}
