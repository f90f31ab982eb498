// The live prediction panel: a training name corrupted at t = 0.5, the model's
// argmax at every position, and the target; hidden positions marked right/wrong.
//
//   const pred = createPrediction(root);
//   pred.show({noisy: "ra?u?_?", guess: "rahul__", target: "rahul__", probs: [...]});
//   pred.clear("Train a model first");

import { cellRow } from "./cells.js";

function line(label, row) {
  const div = document.createElement("div");
  div.className = "pred-row";
  const lab = document.createElement("span");
  lab.className = "pred-label";
  lab.textContent = label;
  div.append(lab, row);
  return div;
}

export function createPrediction(root) {
  function show(r) {
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
      line("Model's guess", cellRow(r.guess, { probs: r.probs, marks, label: `Model's guess: ${r.guess}` })),
      line("Target", cellRow(r.target, { label: `Target: ${r.target}` })),
      summary,
    );
  }

  function clear(text) {
    const p = document.createElement("p");
    p.className = "placeholder";
    p.textContent = text;
    root.replaceChildren(p);
  }

  return { show, clear };
}
