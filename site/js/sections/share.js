// "Share a setup": the settings a reader may share live in the address (state.js).
// A link whose settings could not all be used says which, in #hash-note at the
// top, and the address is rewritten to what is in use.
//
//   createShare({state});   // reads the hash now and on every hashchange

import { $ } from "../page.js";

function showHashNote(ignored) {
  const note = $("hash-note");
  if (!ignored.length) {
    note.hidden = true;
    note.textContent = "";
    return;
  }
  const list = ignored.map((i) => `${i.name || "?"}=${String(i.raw).slice(0, 40)} (${i.reason})`).join("; ");
  // A hash sets only what it can (state.js): a setting it could not use keeps the value in use.
  note.textContent = `Some settings in this link could not be used, so those keep the values already in use: ${list}.`;
  note.hidden = false;
}

export function createShare({ state }) {
  const readHash = () => {
    const ignored = state.readHash();
    showHashNote(ignored);
    if (ignored.length) state.writeHash(); // the address now shows what is in use
  };
  readHash();
  window.addEventListener("hashchange", readHash);
  return { readHash };
}
