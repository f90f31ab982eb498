// "Any order, by hand": the reader picks which masked position to reveal next
// (click, or Enter/Space on a focused cell; arrow keys move between cells). After
// each reveal the model's top candidates for every other masked position are
// shown again beside the exact posterior's, so the reader watches context flow
// both ways. Stateless on the Python side: every `reveal` sends the current row.
//
//   createByHand({engine, state, page});   // -> {reset}

import { $, say, errorText } from "../page.js";
import { createBeliefsGrid } from "../widgets/beliefs-grid.js";
import { charName } from "../widgets/beliefs.js";
import { sentence } from "../format.js";

export function createByHand({ engine, state, page }) {
  const s = { engine, state, page, row: "", history: [], busy: false, message: $("byhand-message"), rowEl: $("byhand-row") };
  s.grid = createBeliefsGrid($("byhand-beliefs"));
  s.rowEl.addEventListener("click", (e) => {
    const b = e.target.closest("button.cell");
    if (b) revealAt(s, Number(b.dataset.pos));
  });
  s.rowEl.addEventListener("keydown", (e) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
    const b = e.target.closest("button.cell");
    if (!b || !(e.key in moves)) return;
    e.preventDefault();
    const cells = [...s.rowEl.querySelectorAll("button.cell")];
    const i = Math.max(0, Math.min(cells.length - 1, Number(b.dataset.pos) + moves[e.key]));
    cells.forEach((c, k) => { c.tabIndex = k === i ? 0 : -1; });
    cells[i].focus();
  });
  $("byhand-reset").addEventListener("click", () => reset(s));
  page.on("change", () => {
    $("byhand-reset").disabled = !page.ready;
    // a new model, or the end of a run: start again from all masks with its weights
    // (not while a run goes on: its weights change every chunk, and the worker is training)
    const running = page.running("names");
    const ended = s.wasRunning && !running;
    s.wasRunning = running;
    const key = page.tasks.names.version;
    if (page.ready && page.usable("names") && !running && (key !== s.shownFor || ended)) {
      s.shownFor = key;
      reset(s);
    }
  });
  page.on("model-replaced", ({ task }) => { if (task === "names") reset(s); });
  page.on("ready", () => reset(s));
  return { reset: () => reset(s) };
}

function drawRow(s, { focus = null, just = null } = {}) {
  const frag = document.createDocumentFragment();
  const first = focus ?? Math.max(0, s.row.indexOf("?"));
  [...s.row].forEach((ch, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "cell" + (ch === "?" ? " mask" : ch === "_" ? " pad" : "") + (i === just ? " revealed" : "");
    b.dataset.pos = String(i);
    b.textContent = ch;
    b.tabIndex = i === first ? 0 : -1;
    b.setAttribute("aria-label", ch === "?" ? `Position ${i + 1}, masked: reveal it` : `Position ${i + 1}, ${charName(ch)}`);
    if (ch !== "?") b.setAttribute("aria-disabled", "true");
    frag.append(b);
  });
  s.rowEl.style.setProperty("--cols", String([...s.row].length)); // the CSS sizes cells to fit
  s.rowEl.replaceChildren(frag);
  if (focus !== null) s.rowEl.querySelector(`[data-pos="${focus}"]`)?.focus();
  const list = $("byhand-history");
  list.replaceChildren(...s.history.map((h) => {
    const li = document.createElement("li");
    li.textContent = h;
    return li;
  }));
}

function usable(s) {
  if (s.page.ready && s.page.usable("names")) return true;
  say(s.message, "Train a names model first (section IV); then reveal the positions in any order you like.");
  s.grid.clear("The model's candidates for every position appear here once a names model is trained.");
  return false;
}

async function reset(s) {
  s.row = "?".repeat(s.page.tasks.names.info?.seq_len ?? 7);
  s.history = [];
  drawRow(s);
  if (!usable(s)) return;
  try {
    const r = await s.engine.call("beliefs", { task: "names", row: s.row });
    s.grid.show({ row: r.row, model: r.model, oracle: r.oracle, fitting: r.fitting, fittingCount: r.fitting_count });
    say(s.message, "Every position is masked. Pick one to reveal: the model commits to its likeliest character there.");
  } catch (e) {
    say(s.message, `Could not ask the model: ${errorText(e)}`, "error");
  }
}

async function revealAt(s, pos) {
  if (s.busy || s.row[pos] !== "?" || !usable(s)) {
    if (s.row[pos] !== "?" && s.row) say(s.message, `Position ${pos + 1} is already revealed (${charName(s.row[pos])}); pick a masked one, or Reset.`);
    return;
  }
  s.busy = true;
  const t0 = performance.now();
  try {
    const r = await s.engine.call("reveal", { task: "names", row: s.row, position: pos, temperature: 0 });
    s.row = r.row;
    s.history.push(`Position ${pos + 1} → ${charName(r.char)} (the model gave it ${(r.prob * 100).toFixed(0)}%)`);
    const next = r.done ? pos : nextMasked(r.row, pos);
    drawRow(s, { focus: next, just: pos });
    s.grid.show({ row: r.row, model: r.top, oracle: r.oracle, fitting: r.fitting, fittingCount: r.fitting_count });
    const ms = Math.round(performance.now() - t0);
    if (r.done) say(s.message, `Done: “${r.row.replace(/_+$/, "")}” is ${r.training ? "a training name" : "not a training name: a new one"}. Press Reset the row to start again.`, "ok");
    else say(s.message, `Revealed position ${pos + 1} as ${charName(r.char)} (${ms} ms). ${r.note ? sentence(r.note) + "." : ""}`);
  } catch (e) {
    say(s.message, `Could not reveal: ${errorText(e)}`, "error");
  } finally {
    s.busy = false;
  }
}

function nextMasked(row, pos) {
  for (let k = 1; k < row.length; k++) {
    for (const i of [pos + k, pos - k]) if (row[i] === "?") return i;
  }
  return pos;
}
