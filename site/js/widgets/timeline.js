// A denoising timeline: one row of cells per step (`sample`/`translate` steps).
//
//   const tl = createTimeline(root);
//   tl.show(steps, {questionLen: 6});   // steps: [{t_from, t_to, tokens, revealed: [i], probs: [p|null]}]
//
// Row 0 is the start (all masks, t = 1); row k is labelled with the noise level
// before and after its step, "step 3 · t 0.80 → 0.70", falling to 0 at the end.
// Steps without t_from/t_to (older results) carry only `t`, the level the model
// saw, which is t_from; t_to is then the next step's `t`, or 0 after the last.
//                                       // optional remasked: [i] (marked "remasked")
//   tl.clear("Press Generate");
//
// Keyboard: the timeline is one tab stop; arrow keys (and Home/End) move between
// cells, and a focused letter shows its probability (CSS ::after from data-p).
// Focusing or clicking a cell dispatches "cell-select" on the root, detail
// {step, pos, steps, cell}: a listener may show that step's `top` candidates
// (cells that have them carry the class "has-top").

import { cellRow, placeholder } from "./cells.js";

const num = (x) => (typeof x === "number" && Number.isFinite(x) ? x : null);

/** The noise levels of row k as two strings, [before, after] ("1.00", "0.90"); the start row has one. */
export function levels(steps, k) {
  const s = steps[k];
  const shown = (x) => (x === null ? "?" : Math.max(0, x).toFixed(2));
  if (k === 0) return [shown(num(s.t_to) ?? num(s.t) ?? 1), null];
  const from = num(s.t_from) ?? num(s.t);
  const next = steps[k + 1];
  const to = num(s.t_to) ?? (next ? num(next.t_from) ?? num(next.t) : 0);
  return [shown(from), shown(to)];
}

/** Cells masked again at this step (ReMDM) get the mark "remasked"; else none. */
function remaskMarks(s) {
  if (!s.remasked || !s.remasked.length) return undefined;
  const again = new Set(s.remasked);
  return [...s.tokens].map((_, i) => (again.has(i) ? "remasked" : null));
}

/** Step k of `steps` as a labelled row of cells: {row, cells}. */
function stepRow(steps, k, questionLen) {
  const s = steps[k];
  const n = steps.length;
  const row = document.createElement("div");
  row.className = "tl-row" + (k === n - 1 ? " tl-final" : "");
  row.dataset.step = String(k);
  const lab = document.createElement("span");
  lab.className = "tl-label";
  const [from, to] = levels(steps, k);
  lab.textContent = k === 0 ? `start · t ${from}` : `step ${k} · t ${from} → ${to}`;
  const cells = cellRow(s.tokens, {
    probs: s.probs,
    marks: remaskMarks(s),
    revealed: new Set(s.revealed),
    questionLen,
    focusable: true,
    label: k === 0 ? `Start, t = ${from}: ${s.tokens}` : `Step ${k} of ${n - 1}, t from ${from} to ${to}: ${s.tokens}`,
  });
  if (s.top) s.top.forEach((tp, i) => { if (tp) cells.children[i].classList.add("has-top"); });
  row.append(lab, cells);
  return { row, cells };
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
      const { row, cells } = stepRow(steps, k, questionLen);
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
