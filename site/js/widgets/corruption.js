// Section II: the forward process, live. Needs no model.
//
//   createCorruption({slider, output, button, rows, count, names}).setNames([...])
//
// Each position keeps one uniform random number u; it is masked when u < t.
// So moving the slider masks and unmasks monotonically, and "New random mask"
// draws new numbers. Names are padded with "_" to the longest, pads included;
// each row is labelled with its clean name.

import { cellRow } from "./cells.js";
import { pad } from "../data.js";

const SHOWN = ["rahul", "kavya", "dev", "ishaan", "priya", "zara"];

export function createCorruption({ slider, output, button, rows, count, names }) {
  let words = [];
  let len = 0;
  let u = [];

  function choose(list) {
    const picked = SHOWN.filter((w) => list.includes(w));
    for (const w of list) if (picked.length < 6 && !picked.includes(w)) picked.push(w);
    len = Math.max(...list.map((w) => w.length));
    words = picked.slice(0, 6).map((w) => pad(w, len));
    rows.style.setProperty("--cols", String(len)); // the CSS sizes cells to fit the row
    draw();
  }

  function draw() {
    u = words.map((w) => Array.from(w, () => Math.random()));
    render();
  }

  function render() {
    const t = Number(slider.value);
    output.textContent = t.toFixed(2);
    slider.setAttribute("aria-valuetext", t.toFixed(2));
    let masked = 0;
    let total = 0;
    const frag = document.createDocumentFragment();
    words.forEach((w, r) => {
      const noisy = [...w].map((ch, i) => (u[r][i] < t ? "?" : ch)).join("");
      masked += [...noisy].filter((c) => c === "?").length;
      total += w.length;
      const name = w.replace(/_+$/, "");
      const item = document.createElement("div");
      item.className = "name-row";
      // shown by CSS (::before), so the row's text stays its cells; its label says the name
      item.dataset.name = name;
      item.append(cellRow(noisy, { label: `${name} at t = ${t.toFixed(2)}: ${noisy}` }));
      frag.append(item);
    });
    rows.replaceChildren(frag);
    count.textContent = `Expected masked: ${(t * total).toFixed(1)} of ${total} (t × ${total}) · actually masked: ${masked}`;
  }

  slider.addEventListener("input", render);
  button.addEventListener("click", draw);
  choose(names);
  return { setNames: choose, render };
}
