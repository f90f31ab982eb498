// Section IV's experiment for section III's argument: "Train without t". It trains
// a second names model with the recipe and random seed of the reader's model but
// with t fixed at 0 in its input (it never replaces the reader's model), in
// ~40 ms chunks ("no_t_chunk" calls, so the page stays responsive), then scores
// both on the same 20,000 fresh draws ("no_t_compare") and shows both losses with
// their standard errors and their paired difference.
//
//   createNoT({engine, page});   // -> {}

import { $, say, errorText } from "../page.js";
import * as fmt from "../format.js";

const CHUNK_MS = 40;

export function createNoT({ engine, page }) {
  const s = { engine, page, running: false, cancelled: false, button: $("train-no-t"), readout: $("no-t-readout") };
  $("no-t-widget").hidden = false;
  const update = () => {
    s.button.disabled = !page.ready || !page.usable("names") || page.running("names") || s.running;
    s.button.textContent = s.running ? "Training without t…" : "Train without t";
  };
  page.on("change", () => {
    if (s.running && page.running("names")) cancel(s, "Stopped: you started training the model again.");
    update();
  });
  page.on("model-replaced", (d) => {
    if (d.task !== "names") return;
    if (s.running) cancel(s, "Stopped: the model was replaced.");
    else s.readout.textContent = "";
  });
  // a comparison with the weights before a new run no longer describes "your model"
  page.on("run-started", ({ task }) => { if (task === "names" && !s.running) s.readout.textContent = ""; });
  s.button.addEventListener("click", () => run(s).finally(update));
  update();
  return {};
}

function cancel(s, text) {
  s.cancelled = true;
  say(s.readout, text);
  s.engine.call("no_t_cancel", { task: "names" }).catch(() => {});
}

async function run(s) {
  const { engine, page, readout } = s;
  const version = page.tasks.names.version;
  s.running = true;
  s.cancelled = false;
  page.changed();
  try {
    const start = await engine.call("no_t_start", { task: "names", like_model: true });
    const began = performance.now();
    let c = { epoch: 0, finished: false };
    while (!c.finished) {
      if (s.cancelled || page.tasks.names.version !== version) return;
      c = await engine.call("no_t_chunk", { task: "names", max_ms: CHUNK_MS });
      say(readout, `Training without t: epoch ${c.epoch} of ${start.epochs} (${((performance.now() - began) / 1000).toFixed(1)} s)…`);
    }
    if (c.diverged) return say(readout, "The run without t diverged; lower the learning rate, Train, and try again.", "error");
    say(readout, "Measuring both models on the same 20,000 fresh draws…");
    const r = await engine.call("no_t_compare", { task: "names" });
    if (s.cancelled || page.tasks.names.version !== version) return;
    say(readout, compareText(r, start), "ok");
  } catch (e) {
    if (!s.cancelled) say(readout, `Could not train without t: ${errorText(e)}`, "error");
  } finally {
    s.running = false;
    page.changed();
  }
}

/** The readout. Both models are scored on the same draws, so the difference's standard
 *  error is that of the paired differences (r.difference), far smaller than either loss's
 *  own: both models find the same draws hard. */
function compareText(r, start) {
  const d = r.difference;
  const est = (e) => `${fmt.fixed(e.mean, 3)} ± ${fmt.err(e.stderr)}`;
  const epochs = r.epochs_with_t === r.epochs_without_t ? `both ${r.epochs_with_t} epochs`
    : `your model ${r.epochs_with_t} epochs (continued past the recipe's ${start.epochs}), the model without t ${r.epochs_without_t}`;
  const ratio = d.stderr > 0 ? `; the difference is ${fmt.fixed(Math.abs(d.mean) / d.stderr, 1)} times its standard error` : "";
  return `Loss on the same ${fmt.count(r.n)} fresh draws, in nats per position: with t (your model) ${est(r.with_t)}; ` +
    `without t ${est(r.without_t)}. With t minus without: ${fmt.fixed(d.mean, 5)} ± ${fmt.finite(d.stderr) ? d.stderr.toPrecision(2) : fmt.DASH} ` +
    `(the standard error of the paired difference: the same draws score both models, so the difference is ` +
    `measured far more precisely than either loss${ratio}); ${epochs}, random seed ${start.seed}. ` +
    verdict(d.mean);
}

// How far the evaluated loss of the default recipe moves between random seeds 0-9 (0.429 to
// 0.434 nats per position; the figure caption quotes it): training's own noise.
const SEED_SCALE = 0.005;

/** The difference against training's own noise, in words. */
function verdict(diff) {
  if (!Number.isFinite(diff)) return "";
  return Math.abs(diff) < SEED_SCALE
    ? `In short: the difference is smaller than the ${SEED_SCALE} by which the loss moves between random seeds, so the two models are equally good, as the argument above predicts; a difference many standard errors wide can still be this small.`
    : `In short: the difference is larger than the ${SEED_SCALE} by which the loss moves between random seeds with the default recipe; with another recipe or weighting, compare a few random seeds before drawing a conclusion.`;
}
