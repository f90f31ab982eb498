// Character cells: one <span class="cell"> per character, coloured by kind.
//
//   cellRow("r?h_", {probs: [0.9, null, 0.5, null], revealed: new Set([2])})
//     -> <div class="cells"><span class="cell has-p">r</span><span class="cell mask">?</span>…
//
// Kinds: letter, mask (?), pad (_), sep (>); roles: question / answer (translate);
// states: revealed (just now), right / wrong (prediction). A letter's probability
// is the CSS custom property --p (its shade), a data-p attribute shown on hover
// and focus, the title, and part of its aria-label. Text goes in as textContent only.

import { prob } from "../format.js";

const KIND = { "?": "mask", "_": "pad", ">": "sep" };
const SPOKEN = { mask: "masked", pad: "padding", sep: "separator" };

export function kindOf(ch) {
  return KIND[ch] || "letter";
}

/**
 * One cell. opts: {p, revealed, role: "question"|"answer", mark: "right"|"wrong", focusable}
 */
export function cell(ch, opts = {}) {
  const el = document.createElement("span");
  const kind = kindOf(ch);
  el.className = "cell";
  if (kind !== "letter") el.classList.add(kind);
  if (opts.role) el.classList.add(opts.role);
  if (opts.revealed) el.classList.add("revealed");
  if (opts.mark) el.classList.add(opts.mark);
  el.textContent = ch;
  const parts = [kind === "letter" ? ch : SPOKEN[kind]];
  if (opts.role === "question") parts.push("question");
  if (typeof opts.p === "number" && Number.isFinite(opts.p) && kind !== "mask") {
    const shown = prob(opts.p);
    el.classList.add("has-p");
    el.style.setProperty("--p", String(Math.max(0, Math.min(1, opts.p))));
    el.dataset.p = shown;
    el.title = `probability ${shown}`;
    parts.push(`probability ${shown}`);
  }
  if (opts.revealed) parts.push("revealed at this step");
  if (opts.mark) parts.push(opts.mark);
  if (opts.focusable) el.tabIndex = -1;
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", parts.join(", "));
  return el;
}

/**
 * A row of cells for `text`. opts: {probs: [p|null], revealed: Set<int>,
 * questionLen: n (first n positions are the question), marks: ["right"|"wrong"|null],
 * focusable, label}
 */
export function cellRow(text, opts = {}) {
  const row = document.createElement("div");
  row.className = "cells";
  const chars = [...text];
  chars.forEach((ch, i) => {
    const role = opts.questionLen === undefined ? undefined : i < opts.questionLen ? "question" : "answer";
    row.append(cell(ch, {
      p: opts.probs ? opts.probs[i] : undefined,
      revealed: opts.revealed ? opts.revealed.has(i) : false,
      role,
      mark: opts.marks ? opts.marks[i] : undefined,
      focusable: opts.focusable,
    }));
  });
  if (opts.label) {
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", opts.label);
  }
  return row;
}

/** Update an existing row of cells in place (same length), for small animations. */
export function setRow(row, text, revealed = new Set()) {
  const chars = [...text];
  while (row.children.length < chars.length) row.append(document.createElement("span"));
  while (row.children.length > chars.length) row.lastChild.remove();
  chars.forEach((ch, i) => {
    const el = row.children[i];
    const kind = kindOf(ch);
    el.className = "cell" + (kind !== "letter" ? " " + kind : "") + (revealed.has(i) ? " revealed" : "");
    el.textContent = ch;
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", kind === "letter" ? ch : SPOKEN[kind]);
  });
}

/** A <p class="placeholder"> saying what will appear here (text as textContent). */
export function placeholder(text) {
  const p = document.createElement("p");
  p.className = "placeholder";
  p.textContent = text;
  return p;
}
