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
//   tl.show(steps, {collapse: true});   // a run of 2+ steps that reveal and remask nothing
//                                       // is one row, "steps 3–9 · t 0.80 → 0.20 · none revealed"
//                                       // (a single such step is labelled "none revealed" too)
//
// Keyboard: the timeline is one tab stop; arrow keys (and Home/End) move between
// cells, and a focused letter shows its probability (CSS ::after from data-p).
// Focusing or clicking a cell dispatches "cell-select" on the root, detail
// {step, pos, steps, cell}: a listener may show that step's `top` candidates
// (cells that have them carry the class "has-top"). Every show() and clear()
// dispatches "timeline-redrawn" on the root.

import { cellRow, placeholder } from "./cells.js";

const num = (x) => (typeof x === "number" && Number.isFinite(x) ? x : null);

/**
 * The noise levels of row k as two strings, [before, after] ("1.00", "0.90"); the start
 * row has one. Two decimals, or three in a run of more than 20 steps, whose grid
 * (1/40 = 0.025 apart at 40 steps) two decimals would round unevenly.
 */
export function levels(steps, k, total = steps.length - 1) {
  const s = steps[k];
  const digits = total > 20 ? 3 : 2;
  const shown = (x) => (x === null ? "?" : Math.max(0, x).toFixed(digits));
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

const quiet = (s) => !(s.revealed && s.revealed.length) && !(s.remasked && s.remasked.length);

/** `steps` with each run of 2 or more quiet steps (nothing revealed or remasked) merged into
 * one step that carries `span: [first, last]`, the first's t_from and the last's t_to;
 * every step after the start carries `quiet` (nothing revealed or remasked in it). */
export function collapseQuiet(steps) {
  const out = steps.slice(0, 1);
  for (let k = 1; k < steps.length; k += 1) {
    let j = k;
    while (j + 1 < steps.length && quiet(steps[k]) && quiet(steps[j + 1])) j += 1;
    const [a, b] = [steps[k], steps[j]];
    out.push(j === k ? { ...a, span: [k, k], quiet: quiet(a) } : { ...b, t_from: a.t_from ?? a.t, span: [k, j], quiet: true });
    k = j;
  }
  return out;
}

/** Step k of `steps` as a labelled row of cells: {row, cells}; `total`: steps of the run. */
function stepRow(steps, k, questionLen, total) {
  const s = steps[k];
  const n = steps.length;
  const row = document.createElement("div");
  row.className = "tl-row" + (k === n - 1 ? " tl-final" : "") + (s.quiet ? " tl-quiet" : "");
  row.dataset.step = String(k);
  const [a, b] = s.span || [k, k];
  row.dataset.from = String(a); // the steps of the run this row stands for (several when collapsed)
  row.dataset.to = String(b);
  const lab = document.createElement("span");
  lab.className = "tl-label";
  const [from, to] = levels(steps, k, total);
  const which = a === b ? `step ${a}` : `steps ${a}–${b}`;
  const parts = k === 0 ? ["start", `t ${from}`] : [which, `t ${from} → ${to}`, ...(s.quiet ? ["none revealed"] : [])];
  parts.forEach((text, i) => { // "step 5 · t 0.90 → 0.88": parts that narrow columns stack
    const part = document.createElement("span");
    part.className = "tl-part";
    part.textContent = text;
    if (i) lab.append(Object.assign(document.createElement("span"), { className: "tl-sep", textContent: " · " }));
    lab.append(part);
  });
  const cells = cellRow(s.tokens, {
    probs: s.probs,
    marks: remaskMarks(s),
    revealed: new Set(s.revealed),
    questionLen,
    focusable: true,
    label: k === 0 ? `Start, t = ${from}: ${s.tokens}`
      : `${a === b ? `Step ${a}` : `Steps ${a} to ${b}`} of ${total}, t from ${from} to ${to}${s.quiet ? ", nothing revealed" : ""}: ${s.tokens}`,
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

  function show(all, { questionLen, collapse = false } = {}) {
    const frag = document.createDocumentFragment();
    const steps = collapse ? collapseQuiet(all) : all;
    grid = [];
    shown = steps;
    steps.forEach((s, k) => {
      const { row, cells } = stepRow(steps, k, questionLen, all.length - 1);
      frag.append(row);
      grid.push([...cells.children]);
    });
    root.replaceChildren(frag);
    if (steps.length) root.style.setProperty("--cols", String([...steps[0].tokens].length));
    at = [0, 0];
    if (grid.length) grid[0][0].tabIndex = 0;
    root.dispatchEvent(new CustomEvent("timeline-redrawn"));
  }

  function clear(text) {
    show([]);
    root.replaceChildren(placeholder(text));
  }

  return { show, clear };
}
