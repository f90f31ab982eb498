// "Fill in a name": the reader types a pattern (letters where known, ? where not:
// r???l, ??vya, a?i), chooses how many alternatives, and presses Fill in. The
// model's answers and the exact posterior's (the oracle's) appear side by side,
// each marked as a training name or a new one, with the timeline of the picked
// answer and a Top candidates panel for its cells. The same box pins letters of
// the translator's answer (English word "water", answer pattern p????).
// Patterns are checked by the core (`fill`): a bad one gets its message, the text
// stays in the box, nothing runs, and the answers of the earlier pattern are
// cleared (as Translate clears its answer), so none is shown beside the new text.
// The help's "at most seven characters" is a data-fill (facts.js); its example
// patterns are the built-in ones for the built-in names, and for the reader's own
// names are made from those names (examplePatterns), so each fits a training name.
//
//   createInfill({engine, state, page});   // -> {fill, fillAnswer}

import { $, say, errorText, keepPrompt } from "../page.js";
import { createTimeline } from "../widgets/timeline.js";
import { createSamples } from "../widgets/samples.js";
import { createBeliefsPanel } from "../widgets/beliefs.js";
import { linkTimeline } from "../widgets/beliefs-link.js";
import { NAMES } from "../data.js";
import { sentence } from "../format.js";

const TEMPERATURE = 0.8;
const BUILT_IN_EXAMPLES = ["r???l", "??vya", "a?i", "?????"];

const NO_NAMES_MODEL = "Train a names model first (section IV): the model fills the pattern.";
const NO_TRANSLATOR = "Train the translator first (section XII): it fills the answer pattern.";
const REFILL = "The answers of the earlier weights were cleared when training started; press Fill in for the new model's.";

export function createInfill({ engine, state, page }) {
  const s = { engine, state, page, seq: 0, last: null, task: "names", picked: "model", message: $("fill-message") };
  s.timeline = createTimeline($("fill-timeline"), { label: "Timeline of the filled-in answer" });
  s.panel = createBeliefsPanel($("fill-beliefs"), { id: "fill-beliefs" });
  const ask = (row) => engine.call("beliefs", { task: s.task, row, letters_only: true });
  linkTimeline($("fill-timeline"), s.panel, {
    ask, temperature: TEMPERATURE,
    caption: () => (s.picked === "model" ? "The model" : "The oracle as the sampler"),
    noun: () => (s.task === "names" ? "names" : "pairs"),
  });
  const answers = () => (s.task === "translate" ? "answers" : "names");
  s.lists = {
    model: createSamples({ list: $("fill-model"), novelty: $("fill-model-summary"), onPick: (i) => pick(s, "model", i), noun: answers }),
    oracle: createSamples({ list: $("fill-oracle"), novelty: $("fill-oracle-summary"), onPick: (i) => pick(s, "oracle", i), noun: answers }),
  };
  const onEnter = (el, fn) => el.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      fn();
    }
  });
  const fill = () => run(s, "names");
  const fillAnswer = () => run(s, "translate");
  $("fill").addEventListener("click", fill);
  onEnter($("pattern"), fill);
  $("fill-answer").addEventListener("click", fillAnswer);
  onEnter($("answer-pattern"), fillAnswer);
  onEnter($("answer-word"), fillAnswer);
  $("pattern-examples").addEventListener("click", (e) => {
    const b = e.target.closest("[data-pattern]");
    if (!b) return;
    $("pattern").value = b.dataset.pattern;
    $("pattern").dispatchEvent(new Event("input")); // as if typed: valid again, kept (typed.js)
    fill();
  });
  page.on("model-replaced", ({ task, info }) => {
    if (task === "names" && info?.entries) showExamples(examplePatterns(info.entries));
  });
  for (const id of ["pattern", "answer-word", "answer-pattern"]) $(id).addEventListener("input", () => $(id).removeAttribute("aria-invalid"));
  page.on("change", () => {
    $("fill").disabled = !page.ready;
    $("fill-answer").disabled = !page.ready;
  });
  const drop = ({ task }) => { // the model the answers came from is gone or changing
    if (task !== s.task) return;
    s.seq += 1; // an answer still arriving belongs to the old model: drop it
    const had = s.last !== null;
    clear(s, "Press Fill in to fill the pattern with the current model.");
    if (had) say(s.message, REFILL); // the line saying what was filled goes with the answers
  };
  page.on("model-replaced", drop);
  page.on("run-started", drop);
  keepPrompt(page, "names", s.message, {
    none: "Train a names model (section IV), then press Fill in.",
    ready: "Type a pattern (or pick one above) and press Fill in: the model fills its ? marks.",
    stale: [NO_NAMES_MODEL, NO_TRANSLATOR],
  });
  return { fill, fillAnswer };
}

function clear(s, text) {
  s.last = null;
  s.lists.model.clear();
  s.lists.oracle.clear();
  $("fill-timeline-title").textContent = "Timeline";
  s.timeline.clear(text); // clears the panel too (beliefs-link.js)
  $("fill-fitting").textContent = "";
}

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Up to four example patterns that fit the names in use: the built-in ones for the
 * built-in names; for others, made from the names (a name with its middle hidden,
 * one with its first two letters hidden, the shortest with all but its first letter
 * hidden, and all ? at one name's length), so each fits at least one training name.
 */
export function examplePatterns(entries) {
  if (sameList(entries, NAMES)) return BUILT_IN_EXAMPLES;
  const names = [...entries].sort((a, b) => Math.abs(a.length - 5) - Math.abs(b.length - 5) || (a < b ? -1 : a > b ? 1 : 0));
  const long = names.filter((n) => n.length >= 3);
  const shortest = names.reduce((a, b) => (b.length < a.length ? b : a), names[0]);
  const out = [];
  const add = (p) => { if (p && !out.includes(p)) out.push(p); };
  if (long[0]) add(long[0][0] + "?".repeat(long[0].length - 2) + long[0].at(-1));
  if (long.length) add("??" + (long[1] ?? long[0]).slice(2));
  if (shortest) add(shortest[0] + "?".repeat(shortest.length - 1));
  if (names[0]) add("?".repeat(names[0].length));
  return out;
}

function showExamples(patterns) {
  const buttons = patterns.map((p) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "button quiet small";
    b.dataset.pattern = p;
    b.textContent = p;
    return b;
  });
  $("pattern-examples").replaceChildren(...buttons.flatMap((b, i) => (i ? [" ", b] : [b])));
}

function pick(s, which, i) {
  const r = s.last;
  const sample = r && r[which] ? r[which][i] : null;
  if (!sample) return;
  s.picked = which;
  s.lists[which].select(i);
  s.lists[which === "model" ? "oracle" : "model"].select(-1);
  const text = r.task === "translate" ? `${r.word} → ${sample.answer ?? sample.text}` : sample.text;
  $("fill-timeline-title").textContent = `Timeline of “${text}” (${which === "model" ? "the model" : "the exact posterior"})`;
  s.timeline.show(sample.steps, r.task === "translate" ? { questionLen: r.word.length + 1 } : {});
}

function request(s, task) {
  const args = { n: Number($("fill-n").value), temperature: TEMPERATURE, seed: s.page.nextSeed(s.state.get("seed")) };
  if (task === "names") return { inputs: ["pattern"], args: { ...args, task, pattern: $("pattern").value.trim().toLowerCase() } };
  return {
    inputs: ["answer-word", "answer-pattern"],
    args: { ...args, task, word: $("answer-word").value.trim().toLowerCase(), pattern: $("answer-pattern").value.trim().toLowerCase() },
  };
}

function summary(r) {
  const what = r.task === "translate" ? `${r.word} → ${r.pattern}` : r.pattern;
  const fit = r.fitting_count
    ? `${r.fitting_count} training ${r.task === "translate" ? "answer" : "name"}${r.fitting_count === 1 ? "" : "s"} fit${r.fitting_count === 1 ? "s" : ""} ${what}: ${r.fitting.join(", ")}${r.fitting_count > r.fitting.length ? ", …" : ""}.`
    : "";
  return fit;
}

async function run(s, task) {
  const { page } = s;
  const seq = ++s.seq;
  const { inputs, args } = request(s, task);
  if (!page.ready) return say(s.message, "Python is still loading; Fill in works once it is ready.", "error");
  if (!page.usable(task)) {
    if (s.last) clear(s, "No answers: this request was not run."); // the earlier ones answer another request
    return say(s.message, task === "names" ? NO_NAMES_MODEL : NO_TRANSLATOR, "error");
  }
  const t0 = performance.now();
  try {
    const r = await s.engine.call("fill", args);
    if (seq !== s.seq) return;
    for (const id of inputs) $(id).removeAttribute("aria-invalid");
    s.task = task;
    s.last = r;
    const asSamples = (list) => ({ samples: list.map((x) => ({ text: x.answer ?? x.text, new: !x.training })) });
    s.lists.model.show(asSamples(r.model));
    if (r.oracle) s.lists.oracle.show(asSamples(r.oracle));
    else {
      s.lists.oracle.clear();
      $("fill-oracle-summary").textContent = "No answer: no training entry fits this pattern, so the exact posterior is undefined. The model's answers above are its own guesses.";
    }
    $("fill-fitting").textContent = summary(r);
    pick(s, "model", 0);
    const distinct = new Set(r.model.map((x) => x.answer ?? x.text)).size;
    const filled = r.pattern.includes("?")
      ? `Filled ${r.pattern} ${r.model.length} times${r.model.length > 1 ? `, ${distinct} different ${distinct === 1 ? "answer" : "answers"}` : ""}`
      : `Nothing to fill: ${r.pattern} has no ?, so every answer is the pattern itself; put a ? where a letter is unknown`;
    say(s.message, (r.note ? sentence(r.note) : filled) +
      ` (${Math.round(performance.now() - t0)} ms)` + (page.running(task) ? ", with the weights as they are mid-training." : "."), r.note ? "" : "ok");
  } catch (e) {
    if (seq !== s.seq) return;
    const bad = inputs.length === 1 || /pattern/.test(errorText(e)) ? inputs[inputs.length - 1] : inputs[0];
    if (e.kind === "user") { // the earlier answers are not answers to this input
      $(bad).setAttribute("aria-invalid", "true");
      clear(s, task === "names" ? "No answers: fix the pattern above, then press Fill in."
        : "No answers: fix the word or the answer pattern above, then press Fill in the answer.");
    }
    const why = errorText(e);
    say(s.message, e.kind === "user" ? `${sentence(why)}. Nothing was run.` : `Could not fill in: ${why}`, "error");
  }
}
