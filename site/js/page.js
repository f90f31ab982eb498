// Shared by the page's sections: messages and element look-up.

const SWITCHING = new Set(["train-message", "translator-message", "sample-message"]);

/** Show `text` in a message element; kind "error" | "ok" | "" (plain). */
export function say(el, text, kind = "") {
  if (SWITCHING.has(el.id)) el.setAttribute("role", kind === "error" ? "alert" : "status");
  if (kind) el.dataset.kind = kind;
  else delete el.dataset.kind;
  el.textContent = text;
}

export const errorText = (e) => (e && e.message ? e.message : String(e));

export const $ = (id) => document.getElementById(id);
