// "Share a setup": the settings a reader may share live in the address (state.js).
// A link whose settings could not all be used says which, in #hash-note at the
// top, and the address is rewritten to what is in use.
//
//   createShare({state});   // reads the hash now and on every hashchange

import { $ } from "../page.js";
import { HISTORY_MARK, parseHash } from "../state.js";

const SHOWN = 5; // a link with thousands of bad parts gets a note of five and a count
let home = null; // where the note stands in the page's HTML: the top, for a link with no place
const cut = (text, n = 40) => (text.length > n ? text.slice(0, n - 1) + "…" : text);

function showHashNote(ignored, anchor) {
  const note = $("hash-note");
  if (!ignored.length) {
    note.hidden = true;
    note.textContent = "";
    return;
  }
  const list = ignored.slice(0, SHOWN).map((i) => `${cut(i.name || "?")}=${cut(String(i.raw))} (${i.reason})`).join("; ");
  const more = ignored.length > SHOWN ? `; and ${ignored.length - SHOWN} more` : "";
  // A hash sets only what it can (state.js): a setting it could not use keeps the value in use.
  note.textContent = `Some settings in this link could not be used, so those keep the values already in use: ${list}${more}.`;
  // where the link takes the reader, not at the top of a page they will not see
  home ??= { parent: note.parentNode, next: note.nextSibling };
  const target = anchor && document.getElementById(anchor);
  if (target) target.insertAdjacentElement(/^H\d$/.test(target.tagName) ? "afterend" : "afterbegin", note);
  else home.parent.insertBefore(note, home.next);
  note.hidden = false;
}

export function createShare({ state }) {
  const readHash = () => {
    const ignored = state.readHash();
    showHashNote(ignored, state.anchor);
    if (ignored.length) state.writeHash(); // the address now shows what is in use
  };
  readHash();
  state.writeHash(); // this entry too is the page's own (below)
  // Back or Forward to an entry the page wrote goes back to that place on the page, but
  // the reader's settings stay what they are now: navigation never resets them. The
  // entry is rewritten first, so the hashchange that follows finds nothing to change.
  // A new address (a link, a typed hash) has no mark, and its settings are read.
  window.addEventListener("popstate", (e) => {
    if (!e.state || !e.state[HISTORY_MARK]) return;
    state.anchor = parseHash(location.hash).anchor;
    state.writeHash();
  });
  window.addEventListener("hashchange", readHash);
  return { readHash };
}
