// Tiny Text Diffusion: the page's glue, and the one module that owns the DOM.
//
// It starts the Python engine first (so the downloads begin at once), builds the
// model-free widgets (sections I and II work before Python is ready), keeps the
// shareable setup in the URL hash (state.js), and wires every control to the
// engine: train -> progress -> redraw (at most once per frame), sample,
// translate, data, models, storage, restart. Widgets in widgets/ draw; this
// module decides. User and model text only ever reaches the page as textContent.

import { Engine } from "./engine.js";

const FILE_MODE = location.protocol === "file:";
const engine = FILE_MODE ? null : new Engine(); // first thing: Python starts loading now

import { State, PROPS } from "./state.js";
import * as storage from "./storage.js";
import * as fmt from "./format.js";
import { NAMES } from "./data.js";
import { createStatus } from "./widgets/status.js";
import { createIntro } from "./widgets/intro.js";
import { createCorruption } from "./widgets/corruption.js";
import { createDiagram } from "./widgets/diagram.js";
import { createLossChart } from "./widgets/loss-chart.js";
import { createBarChart } from "./widgets/bar-chart.js";
import { createPrediction } from "./widgets/prediction.js";
import { createTimeline } from "./widgets/timeline.js";
import { createSamples } from "./widgets/samples.js";
import { showList } from "./widgets/entry-list.js";
import { $, say, errorText } from "./page.js";
import { bindControls } from "./controls.js";
import { createShare } from "./sections/share.js";
import { createArticle } from "./sections/article.js";

const state = new State(PROPS);
window.tinyDiffusion = { engine, state };

const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
const TASKS = ["names", "translate"];
const MAX_MODEL_BYTES = 5 * 1024 * 1024;
const DOUBLE_CLICK_MS = 1000;
const PREDICT_EVERY_MS = 300;
// Used until `describe` answers (the same values as diffusion_core.train.RECIPES).
const FALLBACK_RECIPES = {
  names: { seed: { lr: 0.01, epochs: 500 }, default: { lr: 0.01, epochs: 500 } },
  translate: { seed: { lr: 0.01, epochs: 1000 }, default: { lr: 0.01, epochs: 200 } },
};

// ---------------------------------------------------------------------- status
const status = createStatus({
  root: $("status"), text: $("status-text"), progress: $("status-progress"), help: $("status-help"), retry: $("retry"),
});

// ---------------------------------------------------------- the hash and controls
const controls = {
  recipe: { el: $("recipe") },
  epochs: { el: $("epochs") },
  lr: {
    el: $("lr"), out: $("lr-value"),
    toControl: (v) => Math.log10(v).toFixed(1),
    fromControl: (s) => 10 ** Number(s),
    show: fmt.lr,
  },
  seed: { el: $("seed") },
  steps: { el: $("steps"), out: $("steps-value") },
  temperature: { el: $("temperature"), out: $("temperature-value"), show: (v) => v.toFixed(1) },
  order: { el: $("order") },
  tr_steps: { el: $("tr-steps"), out: $("tr-steps-value") },
  tr_temperature: { el: $("tr-temperature"), out: $("tr-temperature-value"), show: (v) => (v === 0 ? "0" : v.toFixed(1)) },
};

const syncControl = bindControls(state, controls);
createShare({ state });

// Picking a recipe brings its learning rate and epochs with it.
$("recipe").addEventListener("change", () => {
  const r = recipesFor("names")[state.get("recipe")];
  if (!r) return;
  state.set("lr", r.lr);
  if (PROPS.find((p) => p.name === "epochs").values.includes(r.epochs)) state.set("epochs", r.epochs);
  syncControl("lr");
  syncControl("epochs");
});

// ------------------------------------------------------------ model-free widgets
createIntro({
  arRow: $("intro-ar"), diffRow: $("intro-diff"), arCount: $("intro-ar-count"), diffCount: $("intro-diff-count"),
  note: $("intro-note"), play: $("intro-play"), step: $("intro-step"), reset: $("intro-reset"), reducedMotion,
});
const corruption = createCorruption({
  slider: $("noise-t"), output: $("noise-t-value"), button: $("resample-mask"),
  rows: $("corruption-names"), count: $("mask-count"), names: NAMES,
});
showList($("names-list"), NAMES);
$("names-data").value = NAMES.join("\n");
performance.mark("widgets-ready"); // the model-free widgets work from here on (make bench reads it)

const diagram = createDiagram($("model-diagram"));
const lossChart = createLossChart($("loss-chart"), { empty: "Press Train to watch the loss fall.", name: "Loss" });
lossChart.reset(state.get("epochs"));
const byT = createBarChart($("by-t-chart"));
const prediction = createPrediction($("prediction"));
const timeline = createTimeline($("timeline"), { label: "Timeline" });
const samples = createSamples({ list: $("samples"), novelty: $("novelty"), onPick: (i) => showSample(i) });
const trChart = createLossChart($("translator-chart"), { empty: "Press Train translator.", name: "Translator loss" });
trChart.reset(FALLBACK_RECIPES.translate.default.epochs);
const trTimeline = createTimeline($("tr-timeline"), { label: "Translation timeline" });

// ---------------------------------------------------------------- page state
const tasks = Object.fromEntries(TASKS.map((task) => [task, {
  info: null, // the last `describe` (or set_data / load) answer
  builtin: null, // the built-in entries
  hasModel: false,
  diverged: false,
  version: 0, // bumped whenever the model is replaced or dropped
  customText: null, // the reader's accepted data, re-sent after a restart
  savedText: null, // the model file kept for this browser, re-loaded after a restart
}]));
let engineReady = false;
let activeRun = null; // {task, promise, started, target}
let starting = false;
let sampling = false;
let generateCount = 0;
let lastSamples = null;
let predictIndex = 0;
let predictSeed = 1;

const recipesFor = (task) => tasks[task].info?.recipes || FALLBACK_RECIPES[task];
const running = (task) => activeRun !== null && activeRun.task === task;

function updateButtons() {
  const ready = engineReady;
  const n = tasks.names;
  const usable = (t) => t.hasModel && !t.diverged;
  $("train").disabled = !ready;
  $("more").disabled = !ready || running("names") || !usable(n);
  $("stop").disabled = !running("names");
  $("reset").disabled = !ready;
  $("generate").disabled = !ready || !usable(n) || sampling;
  $("predict-next").disabled = !ready || !usable(n);
  $("train-translator").disabled = !ready;
  $("translate").disabled = !ready;
  for (const id of ["use-names", "builtin-names", "use-pairs", "builtin-pairs", "load-model"]) $(id).disabled = !ready;
  $("download-model").disabled = !ready || !usable(tasks[$("model-which").value]);
}
$("model-which").addEventListener("change", updateButtons);

// ------------------------------------------------------------- filled-in text
function fill(key, text) {
  for (const el of document.querySelectorAll(`[data-fill="${key}"]`)) el.textContent = text;
}

/** Take a `describe`-shaped answer for a task: data, sizes, floor, and any loaded model. */
function applyInfo(task, info) {
  const t = tasks[task];
  t.info = info;
  if (task === "names") {
    diagram.update(info);
    fill("n-params", fmt.count(info.config.n_params));
    fill("L", String(info.config.seq_len));
    fill("E", String(info.config.embed_dim));
    fill("H", String(info.config.hidden));
    fill("floor", info.floor.mean.toFixed(3));
    showList($("names-list"), info.entries);
    corruption.setNames(info.entries);
    lossChart.setFloor(info.floor.mean);
    predictIndex = Math.max(0, info.entries.indexOf("rahul"));
  } else {
    showList($("pairs-list"), info.entries.map((e) => e.replace(">", " → ")));
    trChart.setFloor(info.floor.mean);
  }
  t.hasModel = Boolean(info.has_model);
  if (info.has_model && info.history?.length) {
    (task === "names" ? lossChart : trChart).setLosses(info.history);
    if (task === "names") showReadouts(info.history.length, null, info.history[info.history.length - 1]);
  }
  updateButtons();
}

// --------------------------------------------------------------- persistence
async function persistModel(task, version) {
  try {
    const r = await engine.call("save", { task });
    if (tasks[task].version !== version) return;
    tasks[task].savedText = r.text;
    await storage.put(`model:${task}`, r.text);
  } catch { /* storage is a bonus; the page works without it */ }
}

function forgetModel(task) {
  tasks[task].savedText = null;
  storage.remove(`model:${task}`);
}

// ------------------------------------------------------------------ training
/**
 * Start a training run of `task`, one at a time: a click within a second of the
 * last start is a double click (ignored); otherwise a running run is stopped
 * first and awaited, so the worker never sees two runs racing.
 */
async function beginRun(task, start) {
  if (!engineReady || starting) return;
  if (activeRun && activeRun.task === task && performance.now() - activeRun.started < DOUBLE_CLICK_MS) return;
  starting = true;
  try {
    if (activeRun) {
      const old = activeRun;
      await engine.stop().catch(() => {});
      await old.promise;
    }
    if (engineReady) start();
  } finally {
    starting = false;
  }
}

function trackRun(task, target, args, onProgress, onDone) {
  const run = { task, started: performance.now(), target };
  const version = tasks[task].version;
  const ended = () => {
    if (activeRun === run) activeRun = null;
    updateButtons();
  };
  const training = engine.train(args, (p) => { if (tasks[task].version === version) onProgress(p); });
  run.promise = training.then(() => {}, () => {}); // settles when the engine's run has ended
  // Measuring and saving come after the run, and do not hold up the next one.
  training.then((r) => { ended(); onDone(r, null, version); }, (e) => { ended(); onDone(null, e, version); });
  activeRun = run;
  updateButtons();
  return run;
}

// Readouts are written at most once per frame.
let readout = null;
let readoutQueued = false;
function showReadouts(epoch, target, loss, sps) {
  readout = { epoch, target, loss, sps };
  if (readoutQueued) return;
  readoutQueued = true;
  requestAnimationFrame(() => {
    readoutQueued = false;
    const r = readout;
    $("epoch-readout").textContent = r.epoch == null ? fmt.DASH : r.target ? `${r.epoch} / ${r.target}` : String(r.epoch);
    $("loss-readout").textContent = fmt.fixed(r.loss, 3);
    $("sps-readout").textContent = fmt.finite(r.sps) ? fmt.count(r.sps) : fmt.DASH;
  });
}

const speed = { chunks: [] };
function stepsPerSecond(p) {
  speed.chunks.push([p.steps, p.seconds]);
  if (speed.chunks.length > 20) speed.chunks.shift();
  const steps = speed.chunks.reduce((a, c) => a + c[0], 0);
  const secs = speed.chunks.reduce((a, c) => a + c[1], 0);
  return secs > 0 ? steps / secs : NaN;
}

function trainNames(fresh) {
  beginRun("names", () => {
    const t = tasks.names;
    const epochs = state.get("epochs");
    const lr = state.get("lr");
    let args;
    let target;
    if (fresh) {
      t.version += 1;
      t.diverged = false;
      target = epochs;
      lossChart.reset(epochs);
      byT.clear("Measured when this run ends.");
      $("eval-readout").textContent = "Measured after training.";
      args = { task: "names", fresh: true, epochs,
        start: { task: "names", recipe: state.get("recipe"), lr, epochs, seed: state.get("seed") } };
      say($("train-message"), `Training: ${epochs} epochs, ${state.get("recipe")} recipe, learning rate ${fmt.lr(lr)}.`);
    } else {
      target = lossChart.length + 500;
      lossChart.extend(target);
      args = { task: "names", fresh: false, epochs: 500, lr };
      say($("train-message"), `Going on for 500 more epochs at learning rate ${fmt.lr(lr)}.`);
    }
    speed.chunks = [];
    showReadouts(fresh ? 0 : lossChart.length, target, fresh ? NaN : lossChart.smoothed(), NaN);
    trackRun("names", target, args, (p) => {
      if (!t.hasModel) {
        t.hasModel = true;
        updateButtons();
      }
      lossChart.add(p.losses);
      showReadouts(p.epoch, target, lossChart.smoothed(), stepsPerSecond(p));
      startPredicting();
    }, (r, err, version) => finishNames(r, err, version, fresh));
  });
}

async function finishNames(r, err, version, fresh) {
  const t = tasks.names;
  stopPredicting();
  if (t.version !== version) return; // the model was reset, replaced or started over
  const msg = $("train-message");
  if (err) {
    say(msg, err.kind === "crash" ? "Training ended because Python stopped; restart it above." : `Training failed: ${errorText(err)}`, "error");
    return;
  }
  if (r.diverged) {
    t.diverged = true;
    forgetModel("names");
    updateButtons();
    say(msg, `Training diverged: lower the learning rate (it is ${fmt.lr(state.get("lr"))}), then press Train, or Reset.`, "error");
    prediction.clear("The weights are no longer numbers after the divergence; Reset or Train again.");
    byT.clear("Not measured: training diverged.");
    $("eval-readout").textContent = "Not measured: training diverged.";
    return;
  }
  const done = fresh ? `Done: ${r.epoch} epochs in ${r.elapsed.toFixed(1)} s.`
    : `Done: ${r.done} more epochs in ${r.elapsed.toFixed(1)} s, ${r.epoch} in all.`;
  say(msg, r.stopped ? `Stopped at epoch ${r.epoch}. +500 more goes on from here.` : `${done} Measuring the model on fresh draws…`, r.stopped ? "" : "ok");
  refreshPrediction();
  await persistModel("names", version);
  await evaluateNames(version, r.stopped ? null : done);
}

async function evaluateNames(version, doneText) {
  $("eval-readout").textContent = "Measuring on 20,000 fresh draws…";
  try {
    const ev = await engine.call("evaluate", { task: "names" });
    if (tasks.names.version !== version) return;
    byT.show(ev.by_t);
    const m = ev.eval.mean;
    const f = ev.floor.mean;
    $("eval-readout").textContent = `Loss on ${fmt.count(ev.eval.n)} fresh draws: ${fmt.fixed(m, 3)} ± ${fmt.fixed(ev.eval.stderr, 3)} nats per position; ` +
      `the floor is ${fmt.fixed(f, 3)}, so this is ${fmt.fixed(m / f, 2)} × the floor.`;
    if (doneText) say($("train-message"), `${doneText} Generate names in section V.`, "ok");
  } catch (e) {
    if (tasks.names.version === version) $("eval-readout").textContent = `Could not measure: ${errorText(e)}`;
  }
}

// The live prediction: refreshed every ~300 ms while training (answered between chunks).
let predictTimer = null;
let predicting = false;
function startPredicting() {
  if (predictTimer) return;
  refreshPrediction();
  predictTimer = setInterval(refreshPrediction, PREDICT_EVERY_MS);
}
function stopPredicting() {
  clearInterval(predictTimer);
  predictTimer = null;
}
async function refreshPrediction() {
  const t = tasks.names;
  if (predicting || !engineReady || !t.hasModel || t.diverged) return;
  predicting = true;
  const version = t.version;
  try {
    const r = await engine.call("predict", { task: "names", index: predictIndex, t: 0.5, seed: predictSeed });
    if (t.version === version && !t.diverged) prediction.show(r);
  } catch { /* a diverged or replaced model: the next refresh or the run's end says so */ }
  predicting = false;
}

$("train").addEventListener("click", () => trainNames(true));
$("more").addEventListener("click", () => trainNames(false));
$("stop").addEventListener("click", () => {
  if (running("names")) engine.stop().catch(() => {});
});
$("reset").addEventListener("click", async () => {
  const t = tasks.names;
  t.version += 1;
  t.hasModel = false;
  t.diverged = false;
  forgetModel("names");
  stopPredicting();
  lossChart.reset(state.get("epochs"));
  showReadouts(null, null, NaN, NaN);
  byT.clear();
  $("eval-readout").textContent = "Measured after training.";
  prediction.clear("Train a model and its guesses for a corrupted name appear here, refreshed as it learns.");
  samples.clear();
  lastSamples = null;
  timeline.clear("Press Generate, then pick a name to see how it was revealed.");
  updateButtons();
  try {
    await engine.call("reset", { task: "names" });
    say($("train-message"), "Reset: the model is gone. Press Train to start again.");
  } catch (e) {
    say($("train-message"), `Could not reset: ${errorText(e)}`, "error");
  }
});
$("predict-next").addEventListener("click", () => {
  const n = tasks.names.info?.entries.length || NAMES.length;
  predictIndex = (predictIndex + 1 + Math.floor(Math.random() * (n - 1))) % n;
  predictSeed += 1;
  refreshPrediction();
});

// ----------------------------------------------------------------- sampling
function showSample(i) {
  if (!lastSamples) return;
  const s = lastSamples.samples[i];
  samples.select(i);
  $("timeline-title").textContent = `Timeline of “${s.text}”`;
  timeline.show(s.steps);
}

$("generate").addEventListener("click", async () => {
  if (sampling || !tasks.names.hasModel) return;
  sampling = true;
  updateButtons();
  const steps = state.get("steps");
  const temperature = state.get("temperature");
  const order = state.get("order");
  const seed = (state.get("seed") + generateCount++) % 2 ** 32;
  const msg = $("sample-message");
  try {
    const r = await engine.call("sample", { n: 15, steps, temperature, strategy: order, seed });
    lastSamples = r;
    samples.show(r);
    showSample(0);
    say(msg, `${steps} steps, temperature ${temperature.toFixed(1)}, ${order === "random" ? "random" : "most confident first"} order` +
      (running("names") ? ", with the weights as they are mid-training." : "."));
  } catch (e) {
    say(msg, `Could not generate: ${errorText(e)}`, "error");
  } finally {
    sampling = false;
    updateButtons();
  }
});

// --------------------------------------------------------------- translator
function trainTranslator() {
  beginRun("translate", () => {
    const t = tasks.translate;
    const epochs = recipesFor("translate").default.epochs;
    t.version += 1;
    t.diverged = false;
    trChart.reset(epochs);
    $("accuracy").textContent = "Accuracy: measured after training.";
    say($("translator-message"), `Training the translator: Adam on all pairs at once, ${epochs} epochs.`);
    $("translator-progress").textContent = `epoch 0 / ${epochs}`;
    let queued = false;
    let last = null;
    trackRun("translate", epochs, {
      task: "translate", fresh: true, epochs,
      start: { task: "translate", recipe: "default", epochs, seed: state.get("seed") },
    }, (p) => {
      if (!t.hasModel) {
        t.hasModel = true;
        updateButtons();
      }
      trChart.add(p.losses);
      last = p;
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        $("translator-progress").textContent = `epoch ${last.epoch} / ${epochs} · loss ${fmt.fixed(trChart.smoothed(), 3)}`;
      });
    }, finishTranslator);
  });
}

async function finishTranslator(r, err, version) {
  const t = tasks.translate;
  if (t.version !== version) return;
  const msg = $("translator-message");
  if (err) {
    say(msg, err.kind === "crash" ? "Training ended because Python stopped; restart it above." : `Training failed: ${errorText(err)}`, "error");
    return;
  }
  if (r.diverged) {
    t.diverged = true;
    forgetModel("translate");
    updateButtons();
    say(msg, "Training diverged: press Train translator to start again.", "error");
    return;
  }
  say(msg, r.stopped ? `Stopped at epoch ${r.epoch}.` : `Trained for ${r.epoch} epochs in ${r.elapsed.toFixed(1)} s. Type a word and press Translate.`, r.stopped ? "" : "ok");
  await persistModel("translate", version);
  await measureAccuracy(version);
  if (!r.stopped && tasks.translate.version === version && checkWord($("word").value).word) translateWord();
}

async function measureAccuracy(version) {
  $("accuracy").textContent = "Accuracy: measuring…";
  try {
    const a = await engine.call("accuracy", {});
    if (tasks.translate.version !== version) return;
    $("accuracy").textContent = `Accuracy: ${a.correct} / ${a.total} exact answers (greedy decoding).`;
  } catch (e) {
    if (tasks.translate.version === version) $("accuracy").textContent = `Accuracy: could not measure (${errorText(e)}).`;
  }
}

/** The reader's word, cleaned, or the reason it cannot be used (Python checks it again). */
function checkWord(raw) {
  const w = String(raw).trim().toLowerCase();
  if (!w) return { error: "the word is empty; type an English word such as hello" };
  for (const ch of w) {
    if (ch < "a" || ch > "z") {
      const shown = /\s/.test(ch) ? "a space" : `'${ch}'`;
      return { error: `${shown} is not allowed in '${w.slice(0, 40)}'; use only the letters a-z` };
    }
  }
  return { word: w };
}

let translateSeq = 0; // only the latest request may write its answer or message
async function translateWord() {
  const input = $("word");
  const msg = $("translator-message");
  const seq = ++translateSeq;
  const checked = checkWord(input.value);
  if (checked.error) {
    input.setAttribute("aria-invalid", "true");
    say(msg, checked.error, "error");
    return;
  }
  if (!tasks.translate.hasModel || tasks.translate.diverged) {
    say(msg, "Train the translator first: press Train translator above.", "error");
    return;
  }
  try {
    const r = await engine.call("translate", {
      words: checked.word, steps: state.get("tr_steps"), temperature: state.get("tr_temperature"),
      strategy: "confident", seed: (state.get("seed") + generateCount++) % 2 ** 32,
    });
    if (seq !== translateSeq) return;
    const res = r.results[0];
    input.removeAttribute("aria-invalid");
    trTimeline.show(res.steps, { questionLen: res.question.length + 1 });
    const line = $("translation");
    const q = document.createElement("span");
    q.className = "mono";
    q.textContent = res.question;
    const a = document.createElement("span");
    a.className = "mono";
    a.textContent = res.answer;
    let note;
    if (res.expected == null) note = " (not one of the training questions: a guess in the style of its answers, not a translation)";
    else if (res.expected === res.answer) note = " (the training pair's answer)";
    else note = ` (the training pair says ${res.expected})`;
    line.replaceChildren(q, " → ", a, note);
    if (running("translate")) say(msg, "Translated with the weights as they are mid-training.");
    else if (msg.dataset.kind === "error") say(msg, "");
  } catch (e) {
    if (seq !== translateSeq) return;
    if (e.kind === "user") input.setAttribute("aria-invalid", "true");
    say(msg, errorText(e), "error");
  }
}

$("train-translator").addEventListener("click", trainTranslator);
$("translate").addEventListener("click", translateWord);
$("word").addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    translateWord();
  }
});
$("word").addEventListener("input", () => $("word").removeAttribute("aria-invalid"));

// ------------------------------------------------------------- your own data
/** The model of `task` is gone (new data, or a reset): clear what showed it. */
function dropModelUi(task) {
  const t = tasks[task];
  t.version += 1;
  t.hasModel = false;
  t.diverged = false;
  forgetModel(task);
  if (task === "names") {
    stopPredicting();
    lossChart.reset(state.get("epochs"));
    showReadouts(null, null, NaN, NaN);
    byT.clear();
    $("eval-readout").textContent = "Measured after training.";
    prediction.clear("Train a model on this data and its guesses appear here.");
    samples.clear();
    lastSamples = null;
    timeline.clear("Press Generate, then pick a name to see how it was revealed.");
  } else {
    trChart.reset(recipesFor("translate").default.epochs);
    $("translator-progress").textContent = fmt.DASH;
    $("accuracy").textContent = "Accuracy: measured after training.";
    $("translation").textContent = "";
    trTimeline.clear("Train the translator, then translate a word.");
  }
  updateButtons();
}

function sameEntries(a, b) {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
}

function wireData(task, { area, use, builtin, message, noun }) {
  use.addEventListener("click", async () => {
    const text = area.value; // never cleared: on an error the reader fixes it in place
    try {
      const info = await engine.call("set_data", { task, text });
      area.removeAttribute("aria-invalid");
      dropModelUi(task);
      applyInfo(task, info);
      tasks[task].customText = text;
      storage.put(`data:${task}`, text);
      say(message, `Using your ${info.entries.length} ${noun}. The old model was dropped: train again.`, "ok");
    } catch (e) {
      area.setAttribute("aria-invalid", "true");
      say(message, errorText(e), "error");
    }
  });
  builtin.addEventListener("click", async () => {
    try {
      const info = await engine.call("set_data", { task, builtin: true });
      area.removeAttribute("aria-invalid");
      dropModelUi(task);
      applyInfo(task, info);
      tasks[task].customText = null;
      storage.remove(`data:${task}`);
      say(message, `Back to the ${info.entries.length} built-in ${noun}; your text stays in the box. The old model was dropped: train again.`, "ok");
    } catch (e) {
      say(message, errorText(e), "error");
    }
  });
}

wireData("names", { area: $("names-data"), use: $("use-names"), builtin: $("builtin-names"), message: $("data-message"), noun: "names" });
wireData("translate", { area: $("pairs-data"), use: $("use-pairs"), builtin: $("builtin-pairs"), message: $("pairs-message"), noun: "pairs" });

// ------------------------------------------------------------------- models
$("download-model").addEventListener("click", async () => {
  const task = $("model-which").value;
  const msg = $("model-message");
  try {
    const r = await engine.call("save", { task });
    const url = URL.createObjectURL(new Blob([r.text], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = r.filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(msg, `Downloaded ${r.filename} (${fmt.bytes(r.text.length)}).`, "ok");
  } catch (e) {
    say(msg, `Could not download: ${errorText(e)}`, "error");
  }
});

/** After a model file was loaded into the engine: show it, keep it, measure it. */
async function adoptLoaded(info, text) {
  const task = info.task;
  const t = tasks[task];
  t.version += 1;
  t.diverged = false;
  const version = t.version;
  const custom = !sameEntries(info.entries, t.builtin);
  t.customText = custom ? info.entries.join("\n") : null;
  if (custom) storage.put(`data:${task}`, t.customText);
  else storage.remove(`data:${task}`);
  applyInfo(task, info);
  t.savedText = text;
  storage.put(`model:${task}`, text);
  if (task === "names") {
    refreshPrediction();
    evaluateNames(version, null);
  } else {
    $("translator-progress").textContent = `epoch ${info.history.length}`;
    measureAccuracy(version);
  }
}

$("load-model").addEventListener("change", async () => {
  const input = $("load-model");
  const msg = $("model-message");
  const file = input.files && input.files[0];
  if (!file) return;
  try {
    if (file.size > MAX_MODEL_BYTES) {
      say(msg, `“${file.name}” is ${fmt.bytes(file.size)}; model files from this page are about 1 MB, and files over 5 MB are refused. Your current model is kept.`, "error");
      return;
    }
    const text = await file.text();
    const info = await engine.call("load", { text });
    await adoptLoaded(info, text);
    say(msg, `Loaded a ${info.task === "names" ? "names" : "translator"} model trained for ${info.history.length} epochs on ${info.entries.length} ${info.task === "names" ? "names" : "pairs"}.`, "ok");
  } catch (e) {
    say(msg, `Could not load “${file.name}”: ${errorText(e)}. Your current model is kept.`, "error");
  } finally {
    input.value = "";
  }
});

// ------------------------------------------------------- engine ready / failed
let swRegistered = false;
function registerServiceWorker() {
  if (swRegistered || FILE_MODE || !("serviceWorker" in navigator)) return;
  swRegistered = true;
  try {
    navigator.serviceWorker.register("./sw.js").catch(() => {});
  } catch { /* not allowed here */ }
}

let firstBoot = true;

/** After (re)start: describe both tasks, re-send the reader's data, reload kept models. */
async function restore() {
  const boot = firstBoot;
  firstBoot = false;
  for (const task of TASKS) {
    const t = tasks[task];
    let info = null;
    try {
      const builtin = await engine.call("describe", { task });
      t.builtin = t.builtin || builtin.entries;
      info = builtin;
      if (boot && task === "translate" && !$("pairs-data").value) $("pairs-data").value = builtin.entries.join("\n");
    } catch { continue; }
    const data = t.customText ?? (boot ? await storage.get(`data:${task}`) : null);
    if (data) {
      try {
        info = await engine.call("set_data", { task, text: data });
        t.customText = data;
        if (boot) $(task === "names" ? "names-data" : "pairs-data").value = data;
      } catch {
        t.customText = null;
        storage.remove(`data:${task}`);
      }
    }
    const model = t.savedText ?? await storage.get(`model:${task}`);
    let loaded = false;
    if (model) {
      try {
        info = await engine.call("load", { text: model, task });
        t.savedText = model;
        loaded = true;
      } catch {
        forgetModel(task);
      }
    }
    t.version += 1;
    t.diverged = false;
    if (!loaded) {
      t.hasModel = false;
      if (task === "names") lossChart.reset(state.get("epochs"));
      else trChart.reset(recipesFor("translate").default.epochs);
    }
    applyInfo(task, info);
    if (loaded) {
      const epochs = info.history.length;
      if (task === "names") {
        say($("train-message"), `Restored the names model kept in this browser (${epochs} epochs). Train starts over; +500 more goes on.`);
        refreshPrediction();
        evaluateNames(t.version, null);
      } else {
        say($("translator-message"), `Restored the translator kept in this browser (${epochs} epochs).`);
        $("translator-progress").textContent = `epoch ${epochs}`;
        measureAccuracy(t.version);
      }
    }
  }
}

function idleMessages() {
  if (!tasks.names.hasModel) say($("train-message"), "Ready. Press Train.");
  if (!tasks.translate.hasModel) say($("translator-message"), "Press Train translator, then translate a word.");
  if (!tasks.names.hasModel) say($("sample-message"), "Train a names model first (section IV); Generate then uses its current weights.");
}

async function onReady(detail) {
  try {
    await restore();
  } catch { /* each step is guarded; carry on with what worked */ }
  engineReady = engine.state === "ready";
  if (!engineReady) return;
  idleMessages();
  status.update(detail);
  const v = detail.versions || {};
  $("versions").textContent = `This visit: Pyodide ${v.pyodide}, Python ${v.python}, numpy ${v.numpy}, diffusion_core ${v.diffusion_core}.`;
  updateButtons();
  registerServiceWorker();
}

function onFailed(detail) {
  engineReady = false;
  stopPredicting();
  for (const t of Object.values(tasks)) t.hasModel = false;
  status.update(detail);
  const why = "Python stopped; use Restart Python at the top of the page. Your settings and text are kept.";
  say($("train-message"), why, "error");
  say($("translator-message"), why, "error");
  updateButtons();
  registerServiceWorker();
}

if (FILE_MODE) {
  status.fileMode();
  const why = "Training needs the page to be served over http (see the note at the top).";
  say($("train-message"), why);
  say($("translator-message"), why);
  say($("sample-message"), why);
} else {
  status.update({ stage: "runtime", message: "starting the Python runtime" });
  engine.addEventListener("status", (e) => {
    const d = e.detail;
    if (d.stage === "ready") onReady(d);
    else if (d.stage === "error") onFailed(d);
    else status.update(d);
  });
  $("retry").addEventListener("click", () => {
    $("retry").hidden = true;
    engine.restart().catch(() => {});
  });
}
updateButtons();

createArticle();
