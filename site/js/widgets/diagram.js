// Section III: the model's sizes, filled in from `describe` (never typed in).
//
//   const d = createDiagram(root);  d.update(describeResult);  d.clear();
//
// Fields are elements with data-k="L" | "E" | "LE" | "n_in" | "H" | "V" |
// "emb-shape" | "emb-n" | "W1-shape" | … | "n_params", showing "…" until known.

import { count } from "../format.js";

export function createDiagram(root) {
  const set = (k, text) => {
    for (const el of root.querySelectorAll(`[data-k="${k}"]`)) el.textContent = text;
  };

  function update(d) {
    const c = d.config;
    set("L", String(c.seq_len));
    set("E", String(c.embed_dim));
    set("LE", count(c.seq_len * c.embed_dim));
    set("n_in", count(c.n_in));
    set("H", count(c.hidden));
    set("V", String(c.vocab_size));
    for (const [name, shape] of Object.entries(d.shapes)) {
      set(`${name}-shape`, `${shape[0]} × ${shape[1]}`);
      set(`${name}-n`, count(shape[0] * shape[1]));
    }
    set("n_params", count(c.n_params));
  }

  return { update };
}
