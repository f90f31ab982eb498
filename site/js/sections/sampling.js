// Section V, "Denoise step by step": Generate fifteen names with the current
// weights (steps, temperature and reveal order from the shared state), then pick
// one to see its timeline.
//
//   createSampling({engine, state, page});   // -> {}: it answers to page events only

import { $, say, errorText, keepPrompt } from "../page.js";
import { bindControls } from "../controls.js";
import { createTimeline } from "../widgets/timeline.js";
import { createSamples } from "../widgets/samples.js";
import * as fmt from "../format.js";

const TIMELINE_NOTE = "Press Generate, then pick a name to see how it was revealed.";
const READY = "Press Generate: the model writes 15 names with its current weights.";
const DIVERGED = "Training diverged, so there is no model to write names with: lower the learning rate and press Train.";
const NONE = "Train a names model first (section IV); Generate then uses its current weights.";
const RETRAINED = "The names written by the earlier weights were cleared when training started; press Generate for the new model's.";

export function createSampling({ engine, state, page }) {
  const s = { engine, state, page, sampling: false, drawn: 0, lastSamples: null, message: $("sample-message") };
  s.timeline = createTimeline($("timeline"), { label: "Timeline" });
  s.samples = createSamples({ list: $("samples"), novelty: $("novelty"), onPick: (i) => showSample(s, i) });
  bindControls(state, {
    steps: { el: $("steps"), out: $("steps-value") },
    temperature: { el: $("temperature"), out: $("temperature-value"), show: (v) => v.toFixed(1) },
    order: { el: $("order") },
  });
  $("generate").addEventListener("click", () => generate(s));

  page.on("change", () => updateButtons(s));
  const drop = (text) => {
    s.drawn += 1; // names still arriving belong to the old model: drop them
    s.samples.clear();
    $("removed-mass").textContent = "";
    s.lastSamples = null;
    s.timeline.clear(TIMELINE_NOTE);
    $("timeline-title").textContent = "Timeline";
    if (text) say(s.message, text);
  };
  page.on("model-replaced", ({ task, cause }) => {
    // the caption of the names cleared goes with them: no model wrote anything yet
    if (task === "names" && (cause === "reset" || cause === "data")) drop(NONE);
  });
  // the names listed were written by the weights before the run: never leave them beside the new model
  page.on("run-started", ({ task }) => {
    if (task !== "names") return;
    if (s.lastSamples) drop(RETRAINED);
    else if (s.message.textContent === DIVERGED) say(s.message, READY); // a new run, a new model
  });
  page.on("trained", ({ task, diverged }) => { if (task === "names" && diverged) say(s.message, DIVERGED, "error"); });
  keepPrompt(page, "names", s.message, {
    none: NONE,
    ready: READY,
  });
  page.on("file-mode", () => say(s.message, "Training needs the page to be served over http (see the note at the top)."));
  return {};
}

/**
 * The share of the model's probability that the word restrictions removed at the
 * draws (`removed_mass`: the reply's mean, or the mean of the samples' own).
 */
export function removedMass(r) {
  if (typeof r.removed_mass === "number" && Number.isFinite(r.removed_mass)) return r.removed_mass;
  const each = r.samples.map((x) => x.removed_mass).filter((m) => typeof m === "number" && Number.isFinite(m));
  return each.length ? each.reduce((a, b) => a + b, 0) / each.length : null;
}

function showRemovedMass(r) {
  const m = removedMass(r);
  const pct = m === null ? "" : m < 0.0005 ? "under 0.1" : m < 0.1 ? (100 * m).toFixed(1) : String(Math.round(100 * m));
  $("removed-mass").textContent = m === null ? "" :
    `Removed by the word rules: ${pct}% of the model's probability, on average over the draws. ` +
    "That is how often, left alone, the model would have broken the word (a mask, a pad at the start or before a letter already written, a letter after a pad); the sampler draws only among the allowed characters, their probabilities scaled up to sum to one.";
}

function updateButtons(s) {
  $("generate").disabled = !s.page.ready || !s.page.usable("names") || s.sampling;
}

function showSample(s, i) {
  if (!s.lastSamples) return;
  const sample = s.lastSamples.samples[i];
  s.samples.select(i);
  $("timeline-title").textContent = `Timeline of “${sample.text}”`;
  s.timeline.show(sample.steps);
}

async function generate(s) {
  const { state, page } = s;
  if (s.sampling || !page.tasks.names.hasModel) return;
  s.sampling = true;
  updateButtons(s);
  const steps = state.get("steps");
  const temperature = state.get("temperature");
  const order = state.get("order");
  const seed = page.nextSeed(state.get("seed"));
  const drawn = s.drawn;
  try {
    const r = await s.engine.call("sample", { n: 15, steps, temperature, strategy: order, seed });
    if (drawn !== s.drawn) return;
    s.lastSamples = r;
    s.samples.show(r);
    showRemovedMass(r);
    showSample(s, 0);
    say(s.message, `${fmt.plural(steps, "step")}, temperature ${temperature.toFixed(1)}, ${order === "random" ? "random" : "most confident first"} order` +
      (page.running("names") ? ", with the weights as they are mid-training." : "."));
  } catch (e) {
    if (drawn === s.drawn) say(s.message, `Could not generate: ${errorText(e)}`, "error");
  } finally {
    s.sampling = false;
    updateButtons(s);
  }
}
