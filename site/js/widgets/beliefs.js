// The "Top candidates" panel: for one masked position, the model's five likeliest
// characters beside the exact posterior's (the oracle), as small bars with their
// percentages in text, and the training names that fit the visible characters.
//
//   const panel = createBeliefsPanel(root, {id: "tl-beliefs"});
//   panel.show({title: "Position 3, step 2", row: "?a?????", model: [["k", 0.2], ...],
//               oracle: [["a", 0.5], ...] | null | undefined (still coming),
//               fitting: ["aarav", ...], fittingCount: 7, note: "...", temperature: 0.8,
//               noun: "names" | "pairs", modelCaption: "The model"});
//   panel.describe(cell);          // the cell's aria-describedby -> the same numbers as text
//   panel.clear("Focus a masked cell");
//
// Everything the reader typed or the model wrote goes in as textContent.

import { shares } from "../format.js";
import { placeholder } from "./cells.js";

const SHOWN = { "_": "end (pad)", "?": "mask" };

/** A candidate character as a reader reads it: a letter, or "end (pad)". */
export const charName = (c) => SHOWN[c] || c;

/** "a 41%, e 20%, …" for a top list, or `none` when there is none. */
export function topText(top, none = "no answer") {
  if (!top || !top.length) return none;
  const shown = shares(top.map(([, p]) => p));
  return top.map(([c], i) => `${charName(c)} ${shown[i]}`).join(", ");
}

function bars(top, caption, emptyText) {
  const col = document.createElement("div");
  col.className = "tc-col";
  const h = document.createElement("p");
  h.className = "tc-caption";
  h.textContent = caption;
  col.append(h);
  if (!top || !top.length) {
    const p = document.createElement("p");
    p.className = "tc-empty";
    p.textContent = emptyText;
    col.append(p);
    return col;
  }
  const list = document.createElement("ol");
  list.className = "tc-bars";
  const shown = shares(top.map(([, p]) => p));
  for (const [i, [c, p]] of top.entries()) {
    const li = document.createElement("li");
    const ch = document.createElement("span");
    ch.className = "tc-char" + (c === "_" ? " pad" : "");
    ch.textContent = c === "_" ? "end" : c;
    const bar = document.createElement("span");
    bar.className = "tc-bar";
    bar.setAttribute("aria-hidden", "true");
    bar.style.setProperty("--w", String(Math.max(0, Math.min(1, p))));
    const num = document.createElement("span");
    num.className = "tc-num";
    num.textContent = shown[i];
    li.append(ch, bar, num);
    list.append(li);
  }
  col.append(list);
  return col;
}

function fittingLine(names, count, noun = "names") {
  const p = document.createElement("p");
  p.className = "tc-fitting";
  if (!count) {
    p.textContent = `No training ${noun.replace(/s$/, "")} fits the visible characters.`;
    return p;
  }
  const head = document.createElement("strong");
  head.textContent = `Training ${noun} that fit (${count}): `;
  const list = document.createElement("span");
  list.className = "mono";
  list.textContent = names.join(", ") + (count > names.length ? ", …" : "");
  p.append(head, list);
  return p;
}

export { bars as candidateBars };

export function createBeliefsPanel(root, { id, empty = "Focus or click a masked cell to see what the model weighs there." } = {}) {
  root.classList.add("tc-panel");
  root.setAttribute("role", "region");
  root.setAttribute("aria-label", "Top candidates");
  root.setAttribute("aria-live", "polite");
  const sr = document.createElement("p");
  sr.className = "visually-hidden";
  sr.id = `${id}-text`;
  let described = null;

  function clear(text = empty) {
    sr.textContent = text;
    root.replaceChildren(placeholder(text), sr);
  }

  function show(d) {
    const frag = document.createDocumentFragment();
    const head = document.createElement("p");
    head.className = "tc-title";
    head.textContent = d.title;
    frag.append(head);
    const cols = document.createElement("div");
    cols.className = "tc-cols";
    const temp = d.temperature === undefined || d.temperature === 1 ? "" :
      d.temperature === 0 ? " (greedy: it takes the first)" : ` (temperature ${d.temperature})`;
    const waiting = d.oracle === undefined;
    cols.append(
      bars(d.model, `${d.modelCaption || "The model"}${temp}`, "Visible: nothing to guess here."),
      bars(d.oracle, "Exact posterior (oracle)", waiting ? "Working it out…" : "No answer: no training name fits."),
    );
    frag.append(cols);
    if (!waiting && d.fittingCount !== undefined) frag.append(fittingLine((d.fitting || []).map((e) => e.replace(">", " → ")), d.fittingCount, d.noun));
    if (d.note) {
      const n = document.createElement("p");
      n.className = "tc-note";
      n.textContent = d.note;
      frag.append(n);
    }
    sr.textContent = `${d.title}. Model: ${topText(d.model, "nothing to guess")}. ` +
      (waiting ? "" : `Exact posterior: ${topText(d.oracle, "no answer, no training name fits")}.`);
    frag.append(sr);
    root.replaceChildren(frag);
  }

  /** Point a cell's aria-describedby at the panel's text (and no other cell's). */
  function describe(cell) {
    if (described && described !== cell) described.removeAttribute("aria-describedby");
    described = cell;
    if (cell) cell.setAttribute("aria-describedby", sr.id);
  }

  clear();
  return { show, clear, describe };
}
