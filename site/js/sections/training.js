// Section IV, "Train in your browser": Train, +500 more, Stop and Reset; the
// recipe, epochs, learning rate and seed; the loss chart with its readouts
// (written at most once per frame); the live prediction for one corrupted name
// (refreshed every ~300 ms while training), with the live negative ELBO in bits
// per character (training-elbo.js); the loss by noise level, measured on fresh
// draws when a run ends, and the precise ELBO. The loss weighting (the original
// page's cross-entropy or the ELBO's 1/t) is a setting kept in the URL.
// When a run ends it emits page "trained" {task, version, stopped}.
//
//   const training = createTraining({engine, state, page, kept});
//   -> {reset}   (everything else comes through page events)

import { $, say, errorText, trainingError, momentumNote } from "../page.js";
import { PROPS, LEARNING_RATES } from "../state.js";
import * as fmt from "../format.js";
import { NAMES } from "../data.js";
import { bindControls } from "../controls.js";
import { createLossChart } from "../widgets/loss-chart.js";
import { createBarChart } from "../widgets/bar-chart.js";
import { createPrediction } from "../widgets/prediction.js";
import { createElboTracker } from "./training-elbo.js";

const MORE_EPOCHS = 500;
const PREDICT_EVERY_MS = 300;
const RUN_SETTINGS = ["recipe", "epochs", "lr", "weighting"]; // and the seed (updateButtons)

export function createTraining({ engine, state, page, kept }) {
  const s = {
    engine, state, page, kept,
    lossChart: createLossChart($("loss-chart"), { empty: "Press Train to watch the loss fall.", name: "Loss" }),
    byT: createBarChart($("by-t-chart")),
    prediction: createPrediction($("prediction")),
    message: $("train-message"),
    readout: null, readoutQueued: false, // readouts are written at most once per frame
    speed: { chunks: [] },
    predictIndex: 0, predictSeed: 1, predictTimer: null, predicting: false,
    rowsPerStep: 1, // examples in one optimiser step of the run (for examples per second)
  };
  s.elbo = createElboTracker({ engine, page });
  s.lossChart.reset(state.get("epochs"));
  bindTrainingControls(s);

  $("train").addEventListener("click", () => trainNames(s, true));
  $("more").addEventListener("click", () => trainNames(s, false));
  $("stop").addEventListener("click", () => {
    if (page.running("names")) engine.stop().catch(() => {});
  });
  $("reset").addEventListener("click", () => reset(s));
  $("predict-next").addEventListener("click", () => {
    const n = page.tasks.names.info?.entries.length || NAMES.length;
    s.predictIndex = (s.predictIndex + 1 + Math.floor(Math.random() * (n - 1))) % n;
    s.predictSeed += 1;
    refreshPrediction(s);
  });

  page.on("change", () => updateButtons(s));
  page.on("model-replaced", (d) => { if (d.task === "names") onModelReplaced(s, d); });
  page.on("ready", () => {
    if (!page.tasks.names.hasModel) say(s.message, "Ready. Press Train.");
  });
  page.on("failed", () => {
    stopPredicting(s);
    say(s.message, "Python stopped; use Restart Python at the top of the page. Your settings and text are kept.", "error");
  });
  page.on("file-mode", () => say(s.message, "Training needs the page to be served over http (see the note at the top)."));
  return { reset: () => reset(s) };
}

function bindTrainingControls(s) {
  const { state, page } = s;
  const sync = bindControls(state, {
    recipe: { el: $("recipe") },
    epochs: { el: $("epochs") },
    lr: {
      el: $("lr"), out: $("lr-value"),
      toControl: (v) => String(LEARNING_RATES.indexOf(v)),
      fromControl: (str) => LEARNING_RATES[Number(str)],
      // the default recipe decays it along a cosine; the original page's keeps it constant
      show: (v) => (state.get("recipe") === "seed" ? `${fmt.lr(v)}, constant` : `${fmt.lr(v)} → 0, cosine`),
    },
    seed: { el: $("seed"), refused: (typed, kept) => { // a number box drops what it cannot read: say so
      $("seed-note").textContent = typed === null ? ""
        : `${typed === "" ? "That" : typed} is not a random seed: use a whole number from 0 to 999999. It stays ${kept}.`;
    } },
    weighting: { el: $("weighting") },
  });
  // The rate's label names the recipe's schedule: a recipe set by a link after the rate
  // (#lr=0.1&recipe=seed) relabels it too
  state.addEventListener("change", (e) => { if (e.detail.name === "recipe") sync("lr"); });
  // With no model on the chart, its dashed floor follows the weighting the next run will use.
  $("weighting").addEventListener("change", () => {
    if (!page.tasks.names.hasModel && !page.running("names")) showFloor(s, page.tasks.names.info, state.get("weighting"));
  });
  // Picking a recipe brings its learning rate and epochs with it.
  $("recipe").addEventListener("change", () => {
    const r = page.recipes("names")[state.get("recipe")];
    if (!r) return;
    state.set("lr", r.lr);
    if (PROPS.find((p) => p.name === "epochs").values.includes(r.epochs)) state.set("epochs", r.epochs);
    sync("lr");
    sync("epochs");
  });
}

function updateButtons(s) {
  const { page } = s;
  const ready = page.ready;
  const usable = page.usable("names");
  const running = page.running("names");
  $("train").disabled = !ready || running; // a run is never thrown away silently: Stop first
  $("train").textContent = running ? "Training…" : "Train";
  $("more").disabled = !ready || page.running("names") || !usable;
  $("stop").disabled = !page.running("names");
  $("reset").disabled = !ready;
  $("predict-next").disabled = !ready || !usable;
  // The settings a run reads stay as they were at its start until it ends, so the
  // controls (and the address) describe the model being trained; the translator's
  // run reads the random seed too.
  for (const id of RUN_SETTINGS) $(id).disabled = running;
  $("seed").disabled = running || page.running("translate"); // why: #settings-locked
  // ... and a link opened meanwhile cannot change them either (state.js: lock)
  s.state.lock(RUN_SETTINGS, running ? "the names model trains" : null);
  s.state.lock(["seed"], running ? "the names model trains" : page.running("translate") ? "the translator trains" : null);
}

/** The names model was replaced or dropped (page.js "model-replaced"). */
function onModelReplaced(s, { info, cause, loaded, version }) {
  if (cause === "reset" || cause === "data") {
    clearModel(s, cause === "reset"
      ? "Train a model and its guesses for a corrupted name appear here, refreshed as it learns."
      : "Train a model on this data and its guesses appear here.");
  }
  // the last run's "Done: …" described the model of the earlier data
  if (cause === "data") say(s.message, "New data in use: the model of the earlier data is gone. Press Train.");
  if (cause === "restore" && !loaded) s.lossChart.reset(s.state.get("epochs"));
  s.elbo.modelReplaced(cause, info);
  s.lastRecipe = null; // "+500 more" now goes on with the new model's recipe
  if (!info) return;
  showFloor(s, info, info.recipe?.weighting ?? s.state.get("weighting"));
  s.predictIndex = Math.max(0, info.entries.indexOf("rahul"));
  if (info.has_model && info.history?.length) {
    s.lossChart.setLosses(info.history);
    showReadouts(s, info.history.length, null, s.lossChart.smoothed()); // as during a run
  }
  if (cause === "restore" && loaded) {
    say(s.message, `Restored the names model kept in this browser (${info.history.length} epochs). Train starts over; +500 more goes on.` +
      momentumNote(info.recipe, s.page.recipes("names")));
  }
  if (cause === "file") { // the last run's "Done: …" described the model the file replaced
    say(s.message, `Loaded a names model from a file (${info.history.length} epochs on ${info.entries.length} names). Train starts over; +500 more goes on.` +
      momentumNote(info.recipe, s.page.recipes("names")));
  }
  if (cause === "file" || (cause === "restore" && loaded)) {
    refreshPrediction(s);
    evaluateNames(s, version, null);
  }
}

/** The chart's dashed line: the best possible loss under the weighting the chart's losses
 *  were trained with (the Bayes floor; under the ELBO weighting, the data's entropy per
 *  position, which is higher). */
function showFloor(s, info, weighting) {
  s.lossChart.setFloor(weighting === "elbo" ? info?.floor_elbo : info?.floor?.mean);
}

/** The model is gone: clear what showed it. */
function clearModel(s, predictionNote) {
  stopPredicting(s);
  s.lossChart.reset(s.state.get("epochs"));
  showReadouts(s, null, null, NaN, NaN);
  s.elbo.clear();
  s.byT.clear();
  $("eval-readout").textContent = "Measured after training.";
  s.prediction.clear(predictionNote);
}

async function reset(s) {
  s.page.replaceModel("names", { cause: "reset" });
  s.kept.forgetModel("names");
  const version = s.page.tasks.names.version;
  try {
    await s.engine.call("reset", { task: "names" });
    // a Train pressed before this reply has started a run: its message stands
    if (s.page.tasks.names.version === version) say(s.message, "Reset: the model is gone. Press Train to start again.");
  } catch (e) {
    if (s.page.tasks.names.version === version) say(s.message, `Could not reset: ${errorText(e)}`, "error");
  }
}

function showReadouts(s, epoch, target, loss, sps) {
  s.readout = { epoch, target, loss, sps };
  if (s.readoutQueued) return;
  s.readoutQueued = true;
  requestAnimationFrame(() => {
    s.readoutQueued = false;
    const r = s.readout;
    $("epoch-readout").textContent = r.epoch == null ? fmt.DASH : r.target ? `${r.epoch} / ${r.target}` : String(r.epoch);
    $("loss-readout").textContent = fmt.fixed(r.loss, 3);
    $("sps-readout").textContent = fmt.finite(r.sps) ? fmt.count(r.sps) : fmt.DASH;
  });
}

/** Examples per second over the last 20 chunks: optimiser steps x examples per step. */
function examplesPerSecond(s, p) {
  const chunks = s.speed.chunks;
  chunks.push([p.steps * s.rowsPerStep, p.seconds]);
  if (chunks.length > 20) chunks.shift();
  const steps = chunks.reduce((a, c) => a + c[0], 0);
  const secs = chunks.reduce((a, c) => a + c[1], 0);
  return secs > 0 ? steps / secs : NaN;
}

/** The arguments of a fresh run, or of one that goes on, and its epoch target. */
function runPlan(s, fresh) {
  const { state, lossChart } = s;
  const epochs = state.get("epochs");
  const lr = state.get("lr");
  if (fresh) {
    s.page.tasks.names.version += 1;
    s.page.tasks.names.diverged = false;
    lossChart.reset(epochs);
    s.byT.clear("Measured when this run ends.");
    $("eval-readout").textContent = "Measured after training.";
    const weighting = state.get("weighting");
    showFloor(s, s.page.tasks.names.info, weighting);
    s.elbo.reset(epochs);
    say(s.message, `Training: ${epochs} epochs, ${state.get("recipe") === "seed" ? "original" : "default"} recipe, learning rate ${fmt.lr(lr)}, ` +
      `${weighting === "elbo" ? "ELBO weighting" : "cross-entropy on every position"}.`);
    return { target: epochs, args: { task: "names", fresh: true, epochs,
      start: { task: "names", recipe: state.get("recipe"), lr, epochs, seed: state.get("seed"), weighting } } };
  }
  const target = lossChart.length + MORE_EPOCHS;
  lossChart.extend(target);
  s.elbo.extend(target);
  say(s.message, `Going on for ${MORE_EPOCHS} more epochs at learning rate ${fmt.lr(lr)}.`);
  return { target, args: { task: "names", fresh: false, epochs: MORE_EPOCHS, lr } };
}

function trainNames(s, fresh) {
  const { page, lossChart } = s;
  page.beginRun("names", () => {
    const t = page.tasks.names;
    const { target, args } = runPlan(s, fresh);
    s.speed.chunks = [];
    s.rowsPerStep = rowsPerStep(s, fresh);
    showReadouts(s, fresh ? 0 : lossChart.length, target, fresh ? NaN : lossChart.smoothed(), NaN);
    page.trackRun("names", target, args, (p) => {
      if (!t.hasModel) {
        t.hasModel = true;
        page.changed();
      }
      lossChart.add(p.losses);
      showReadouts(s, p.epoch, target, lossChart.smoothed(), examplesPerSecond(s, p));
      s.elbo.progress(p.epoch);
      startPredicting(s);
    }, (r, err, version) => finishNames(s, r, err, version, fresh));
  });
}

/** Examples per optimiser step: the batch size, or every example (x masks) for 0. */
function rowsPerStep(s, fresh) {
  const t = s.page.tasks.names;
  const r = fresh ? s.page.recipes("names")[s.state.get("recipe")] : s.lastRecipe || t.info?.recipe;
  if (fresh) s.lastRecipe = r;
  const n = t.info?.entries.length || NAMES.length;
  return r && r.batch_size ? r.batch_size : n * (r?.masks || 1);
}

async function finishNames(s, r, err, version, fresh) {
  const t = s.page.tasks.names;
  stopPredicting(s);
  s.elbo.stop();
  if (t.version === version && !err) s.page.emit("trained", { task: "names", version, stopped: r.stopped, diverged: r.diverged });
  if (t.version !== version) return; // the model was reset, replaced or started over
  if (err) {
    say(s.message, trainingError(err), "error");
    return;
  }
  if (r.diverged) {
    t.diverged = true;
    s.kept.forgetModel("names");
    s.page.changed();
    say(s.message, `Training diverged: lower the learning rate (it is ${fmt.lr(s.state.get("lr"))}), then press Train, or Reset.`, "error");
    s.prediction.clear("The weights are no longer numbers after the divergence; Reset or Train again.");
    s.byT.clear("Not measured: training diverged.");
    $("eval-readout").textContent = "Not measured: training diverged.";
    s.elbo.clear("Not measured: training diverged.");
    return;
  }
  const done = fresh ? `Done: ${r.epoch} epochs in ${r.elapsed.toFixed(1)} s.`
    : `Done: ${r.done} more epochs in ${r.elapsed.toFixed(1)} s, ${r.epoch} in all.`;
  const stopped = `Stopped at epoch ${r.epoch}${r.stoppedFor ? ": the translator started training, and one model trains at a time" : ""}. +500 more goes on from here.`;
  say(s.message, r.stopped ? stopped : `${done} Measuring the model on fresh draws…`, r.stopped ? "" : "ok");
  refreshPrediction(s);
  // first what the reader waits for (the measurements), then keep the model; all in pieces
  // of at most 25 ms that a Generate goes between (the file alone takes the worker 70-80 ms)
  await evaluateNames(s, version, r.stopped ? null : done);
  await s.kept.saveModel("names", version);
}

async function evaluateNames(s, version, doneText) {
  const readout = $("eval-readout");
  readout.textContent = "Measuring on 20,000 fresh draws…";
  try {
    // in pieces of at most 25 ms, as the precise ELBO: a Generate pressed right after
    // the run is answered between two pieces instead of after the whole measurement
    const ev = await s.engine.pieces("evaluate", { task: "names" }, () => s.page.tasks.names.version !== version);
    if (!ev) return;
    s.byT.show(ev.by_t);
    const m = ev.eval.mean;
    const f = ev.floor.mean;
    // a floor of 0 (data whose every name is the same: nothing is left to guess) has no ratio
    const ratio = f > 1e-9 ? `so this is ${fmt.fixed(m / f, 2)} × the floor` : "so the loss itself is the model's whole error";
    readout.textContent = `Loss on ${fmt.count(ev.eval.n)} fresh draws: ${fmt.fixed(m, 3)} ± ${fmt.err(ev.eval.stderr)} (one standard error) nats per position; ` +
      `the floor is ${f > 1e-9 ? fmt.fixed(f, 3) : "0 (the data leaves nothing to guess)"}, ${ratio}.`;
    if (doneText) say(s.message, `${doneText} Generate names in section V.`, "ok");
    await s.elbo.precise(version);
  } catch (e) {
    if (s.page.tasks.names.version === version) readout.textContent = `Could not measure: ${errorText(e)}`;
  }
}

// The live prediction: refreshed every ~300 ms while training (answered between chunks).
function startPredicting(s) {
  if (s.predictTimer) return;
  refreshPrediction(s);
  s.predictTimer = setInterval(() => { refreshPrediction(s); s.elbo.refresh(); }, PREDICT_EVERY_MS);
}

function stopPredicting(s) {
  clearInterval(s.predictTimer);
  s.predictTimer = null;
}

async function refreshPrediction(s) {
  const t = s.page.tasks.names;
  if (s.predicting || !s.page.ready || !t.hasModel || t.diverged) return;
  s.predicting = true;
  const version = t.version;
  try {
    const r = await s.engine.call("predict", { task: "names", index: s.predictIndex, t: 0.5, seed: s.predictSeed });
    if (t.version === version && !t.diverged) s.prediction.show(r);
  } catch { /* a diverged or replaced model: the next refresh or the run's end says so */ }
  s.predicting = false;
}
