// Every masked position's top candidates at once (the by-hand lab): one column
// per position, the model's bars above the exact posterior's, and the training
// names that fit. Columns of visible positions show their character.
//
//   const grid = createBeliefsGrid(root);
//   grid.show({row: "a???v__", model: [null, [["r", 0.3], ...], ...], oracle: [...] | null,
//              fitting: [...], fittingCount: 2, note: null, changed: 3});
//   grid.clear("Train a model first");

import { candidateBars, topText, charName } from "./beliefs.js";
import { placeholder } from "./cells.js";

function column(ch, i, model, oracle, hasOracle) {
  const col = document.createElement("li");
  col.className = "bg-col" + (ch === "?" ? " is-masked" : "");
  const head = document.createElement("p");
  head.className = "bg-head";
  head.textContent = `${i + 1}`;
  const sr = document.createElement("span");
  sr.className = "visually-hidden";
  if (ch !== "?") {
    const v = document.createElement("p");
    v.className = "bg-visible mono";
    v.textContent = ch === "_" ? "end" : ch;
    sr.textContent = `Position ${i + 1}: visible, ${charName(ch)}.`;
    col.append(head, sr, v);
    return col;
  }
  sr.textContent = `Position ${i + 1}, masked. Model: ${topText(model)}. Exact posterior: ${topText(oracle, "no answer")}.`;
  const m = candidateBars(model, "Model", "–");
  const o = candidateBars(oracle, "Exact", hasOracle ? "–" : "none");
  m.setAttribute("aria-hidden", "true");
  o.setAttribute("aria-hidden", "true");
  col.append(head, sr, m, o);
  return col;
}

export function createBeliefsGrid(root) {
  root.setAttribute("role", "region");
  root.setAttribute("aria-label", "Top candidates");

  function show(d) {
    const frag = document.createDocumentFragment();
    const list = document.createElement("ol");
    list.className = "bg-cols";
    [...d.row].forEach((ch, i) => list.append(column(ch, i, d.model[i], d.oracle ? d.oracle[i] : null, Boolean(d.oracle))));
    frag.append(list);
    const fit = document.createElement("p");
    fit.className = "tc-fitting";
    const names = d.fitting || [];
    fit.textContent = d.fittingCount
      ? `Training names that fit (${d.fittingCount}): ${names.join(", ")}${d.fittingCount > names.length ? ", …" : ""}`
      : "No training name fits the visible characters, so the exact posterior has no answer; the model still guesses.";
    frag.append(fit);
    root.replaceChildren(frag);
  }

  function clear(text) {
    root.replaceChildren(placeholder(text));
  }

  return { show, clear };
}
