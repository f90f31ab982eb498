// The data's facts wherever the article quotes them: every element with
// data-fill="KEY" shows the figure for the data and model in use, read from
// Python's `describe` (a "model-replaced" event), so after "Use this data" no
// sentence still names the built-in counts or floor. Until Python answers, the
// built-in values written into the HTML stand.
//
//   createFacts({page});   // -> {fill}
//
// Keys (names task): n-names, names-origin, V, n-letters, letters (the letters
// themselves, as ranges: "a, b, d, e, h–p, r–v, y, z"), floor, L, L-chars
// (the same length in words, with its noun: "at most seven characters"), E, H, n-params,
// default-batch. Keys (translator): n-pairs, tr-floor, tr-floor-why.

import { NAMES } from "../data.js";
import * as fmt from "../format.js";

const SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
  "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const ZERO_FLOOR = 5e-4; // below this the translator's floor shows as "zero" (3 decimals)

/** A count as the article writes it: words below 100 ("forty", "twenty-one"), digits above. */
export function countWords(n) {
  if (!Number.isInteger(n) || n < 0) return fmt.DASH;
  if (n < 20) return SMALL[n];
  if (n < 100) return TENS[Math.floor(n / 10)] + (n % 10 ? "-" + SMALL[n % 10] : "");
  return fmt.count(n);
}

function fill(key, text) {
  for (const el of document.querySelectorAll(`[data-fill="${key}"]`)) el.textContent = text;
}

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function fillNames(info) {
  const c = info.config;
  const own = !sameList(info.entries, NAMES);
  fill("n-names", countWords(info.entries.length));
  fill("names-origin", own ? ", the ones you gave it under “Use your own data”" : ", chosen by the original page this one grew from");
  fill("V", String(c.vocab_size));
  fill("n-letters", String([...info.vocab].filter((ch) => /^[a-z]$/.test(ch)).length));
  fill("letters", fmt.letterRanges(info.vocab));
  fill("floor", fmt.fixed(info.floor.mean, 3));
  fill("L", String(c.seq_len));
  fill("L-chars", `${countWords(c.seq_len)} character${c.seq_len === 1 ? "" : "s"}`);
  fill("E", String(c.embed_dim));
  fill("H", String(c.hidden));
  fill("n-params", fmt.count(c.n_params));
  const n = info.entries.length;
  const b = info.recipes?.default?.batch_size ?? 0; // 0: the whole dataset in one step (recipe.py)
  fill("default-batch", b === 0 || n <= b ? `on all ${countWords(n)} names at once, one step per epoch`
    : `on batches of ${b} names, ${fmt.plural(Math.ceil(n / b), "step")} per epoch`);
}

/** How many questions of `entries` ("q>a") have more than one distinct answer. */
export function ambiguousQuestions(entries) {
  const answers = new Map();
  for (const e of entries) {
    const [q, a] = e.split(">");
    if (!answers.has(q)) answers.set(q, new Set());
    answers.get(q).add(a);
  }
  return [...answers.values()].filter((s) => s.size > 1).length;
}

function fillPairs(info, zeroWhy) {
  fill("n-pairs", countWords(info.entries.length));
  const floor = info.floor.mean;
  if (!(floor >= ZERO_FLOOR)) {
    fill("tr-floor", "zero");
    fill("tr-floor-why", zeroWhy);
    return;
  }
  fill("tr-floor", `${fmt.fixed(floor, 3)} nats per position`);
  const n = ambiguousQuestions(info.entries);
  fill("tr-floor-why", n
    ? `${countWords(n)} of these questions ${n === 1 ? "has" : "have"} more than one answer in your pairs, so even with the question visible the model cannot know which answer was hidden, and the loss levels off above zero`
    : "your pairs leave part of some answers uncertain once the question is visible, so the loss levels off above zero");
}

export function createFacts({ page }) {
  const zeroWhy = document.querySelector('[data-fill="tr-floor-why"]')?.textContent || "";
  page.on("model-replaced", ({ task, info }) => {
    if (!info) return;
    if (task === "names") fillNames(info);
    else if (task === "translate") fillPairs(info, zeroWhy);
  });
  return { fill };
}
