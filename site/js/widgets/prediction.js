// The live prediction panel: a training name corrupted at t = 0.5, the model's
// argmax at every position, and the target; hidden positions marked right/wrong.
//
//   const pred = createPrediction(root);
//   pred.show({noisy: "ra?u?_?", guess: "rahul__", target: "rahul__", probs: [...]});
//   pred.clear("Train a model first");
//
// The guess row is one tab stop: arrow keys (Home/End) move along it, and
// focusing or clicking a cell dispatches "cell-select" on the root, detail
// {row: the corrupted row, pos, cell}; focus stays on its position across redraws.

import { cellRow, placeholder } from "./cells.js";

function line(label, row) {
  const div = document.createElement("div");
  div.className = "pred-row";
  const lab = document.createElement("span");
  lab.className = "pred-label";
  lab.textContent = label;
  div.append(lab, row);
  return div;
}

function guessRow(r, marks, at) {
  const row = cellRow(r.guess, { probs: r.probs, marks, focusable: true, label: `Model's guess: ${r.guess}` });
  [...row.children].forEach((c, i) => { c.dataset.pos = String(i); });
  row.children[Math.min(at, row.children.length - 1)].tabIndex = 0;
  return row;
}

export function createPrediction(root) {
  let at = 0;
  let noisy = "";
  root.addEventListener("keydown", (e) => {
    const cell = e.target.closest(".cell[data-pos]");
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
    if (!cell || !(e.key in moves)) return;
    e.preventDefault();
    const cells = [...cell.parentElement.children];
    cells[Math.max(0, Math.min(cells.length - 1, Number(cell.dataset.pos) + moves[e.key]))].focus();
  });
  root.addEventListener("focusin", (e) => {
    const cell = e.target.closest(".cell[data-pos]");
    if (!cell) return;
    for (const c of cell.parentElement.children) c.tabIndex = c === cell ? 0 : -1;
    at = Number(cell.dataset.pos);
    root.dispatchEvent(new CustomEvent("cell-select", { detail: { row: noisy, pos: at, cell } }));
  });

  function show(r) {
    const refocus = root.contains(document.activeElement) && document.activeElement.dataset.pos !== undefined;
    noisy = r.noisy;
    const hidden = [...r.noisy].map((c) => c === "?");
    const marks = [...r.guess].map((c, i) => (hidden[i] ? (c === r.target[i] ? "right" : "wrong") : null));
    const nHidden = hidden.filter(Boolean).length;
    const nRight = marks.filter((m) => m === "right").length;
    const summary = document.createElement("p");
    summary.className = "pred-summary";
    summary.textContent = nHidden
      ? `${nRight} of ${nHidden} hidden characters right.`
      : "This draw hid nothing; the model only had to copy.";
    root.style.setProperty("--cols", String([...r.noisy].length)); // the CSS sizes cells to fit
    root.replaceChildren(
      line("Corrupted, t = 0.5", cellRow(r.noisy, { label: `Corrupted: ${r.noisy}` })),
      line("Model's guess", guessRow(r, marks, at)),
      line("Target", cellRow(r.target, { label: `Target: ${r.target}` })),
      summary,
    );
    if (refocus) root.querySelector(`.cell[data-pos="${at}"]`)?.focus();
  }

  function clear(text) {
    root.replaceChildren(placeholder(text));
  }

  return { show, clear };
}
