// A denoising timeline: one row of cells per step (`sample`/`translate` steps).
//
//   const tl = createTimeline(root);
//   tl.show(steps, {questionLen: 6});   // steps: [{t, tokens, revealed: [i], probs: [p|null]}]
//   tl.clear("Press Generate");
//
// Keyboard: the timeline is one tab stop; arrow keys (and Home/End) move between
// cells, and a focused letter shows its probability (CSS ::after from data-p).
// Focusing or clicking a cell dispatches "cell-select" on the root, detail
// {step, pos, steps, cell}: a listener may show that step's `top` candidates
// (cells that have them carry the class "has-top").

import { cellRow } from "./cells.js";

/** One step of `n` as a labelled row of cells: {row, cells}. */
function stepRow(s, k, n, questionLen) {
  const row = document.createElement("div");
  row.className = "tl-row" + (k === n - 1 ? " tl-final" : "");
  row.dataset.step = String(k);
  const lab = document.createElement("span");
  lab.className = "tl-label";
  lab.textContent = k === 0 ? `start · t ${s.t.toFixed(2)}` : `step ${k} · t ${s.t.toFixed(2)}`;
  const cells = cellRow(s.tokens, {
    probs: s.probs,
    revealed: new Set(s.revealed),
    questionLen,
    focusable: true,
    label: k === 0 ? `Start: ${s.tokens}` : `Step ${k} of ${n - 1}, model saw t = ${s.t.toFixed(2)}: ${s.tokens}`,
  });
  if (s.top) s.top.forEach((tp, i) => { if (tp) cells.children[i].classList.add("has-top"); });
  row.append(lab, cells);
  return { row, cells };
}

function placeholder(text) {
  const p = document.createElement("p");
  p.className = "placeholder";
  p.textContent = text;
  return p;
}

/** Where a key moves the focus from cell [r, c], or null for other keys. */
function moveFrom([r, c], key) {
  const moves = {
    ArrowLeft: [r, c - 1], ArrowRight: [r, c + 1], ArrowUp: [r - 1, c], ArrowDown: [r + 1, c],
    Home: [r, 0], End: [r, Infinity], PageUp: [0, c], PageDown: [Infinity, c],
  };
  return moves[key] || null;
}

export function createTimeline(root, { label = "Timeline" } = {}) {
  let grid = []; // rows of cell elements
  let at = [0, 0];
  let shown = [];
  const select = (r, c) => root.dispatchEvent(new CustomEvent("cell-select", {
    detail: { step: r, pos: c, steps: shown, cell: grid[r][c] },
  }));

  if (!root.hasAttribute("aria-labelledby")) root.setAttribute("aria-label", label);
  root.setAttribute("role", "group");

  function focusCell(r, c, move = true) {
    if (!grid.length) return;
    r = Math.max(0, Math.min(grid.length - 1, r));
    c = Math.max(0, Math.min(grid[r].length - 1, c));
    const [r0, c0] = at;
    if (grid[r0] && grid[r0][c0]) grid[r0][c0].tabIndex = -1;
    at = [r, c];
    grid[r][c].tabIndex = 0;
    if (move) grid[r][c].focus();
  }

  root.addEventListener("keydown", (e) => {
    if (!grid.length || !e.target.classList.contains("cell")) return;
    const to = moveFrom(at, e.key);
    if (!to) return;
    e.preventDefault();
    focusCell(...to);
  });
  root.addEventListener("focusin", (e) => {
    const cell = e.target.closest(".cell");
    if (!cell) return;
    grid.forEach((row, r) => {
      const c = row.indexOf(cell);
      if (c >= 0) {
        focusCell(r, c, false);
        select(r, c);
      }
    });
  });

  function show(steps, { questionLen } = {}) {
    const frag = document.createDocumentFragment();
    grid = [];
    shown = steps;
    steps.forEach((s, k) => {
      const { row, cells } = stepRow(s, k, steps.length, questionLen);
      frag.append(row);
      grid.push([...cells.children]);
    });
    root.replaceChildren(frag);
    if (steps.length) root.style.setProperty("--cols", String([...steps[0].tokens].length));
    at = [0, 0];
    if (grid.length) grid[0][0].tabIndex = 0;
  }

  function clear(text) {
    grid = [];
    shown = [];
    root.replaceChildren(placeholder(text));
  }

  return { show, clear };
}
