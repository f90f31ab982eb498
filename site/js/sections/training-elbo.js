// Part of section IV (training.js): the likelihood bound of the names model in
// bits per character. While a run goes on, the "elbo" request in "live" mode
// (about 1,100 random masks, answered between training chunks) is asked at
// most every ~300 ms, on the timer of the live prediction, and never sooner than
// three times its own duration after the last answer; after the run, the
// "precise" mode (every mask of every name). The entropy of the data, which the
// core returns with each answer, is the dashed line no model can go below.
//
//   const elbo = createElboTracker({engine, page});
//   elbo.reset(epochs); elbo.extend(target); elbo.progress(epoch);
//   elbo.refresh();            // on the live timer; skipped while one is in flight
//   await elbo.precise(version); elbo.stop(); elbo.clear(why?);

import { $ } from "../page.js";
import * as fmt from "../format.js";
import { createElboChart } from "../widgets/elbo-chart.js";

const EMPTY = "Press Train: the bound is estimated as the model learns.";

export function createElboTracker({ engine, page }) {
  const chart = createElboChart($("elbo-chart"), { empty: EMPTY });
  const readout = $("elbo-readout");
  const st = { epoch: 0, asked: -1, busy: false, live: false, next: 0 };
  const c = { engine, page, chart, readout, st };
  return {
    reset(epochs) {
      st.epoch = 0;
      st.asked = -1;
      st.live = true;
      chart.reset(epochs);
      readout.textContent = "Estimated live while the model trains.";
    },
    extend(target) {
      st.live = true;
      chart.extend(target);
    },
    progress(epoch) { st.epoch = epoch; },
    refresh: () => refresh(c),
    precise: (version) => precise(c, version),
    stop() { st.live = false; },
    clear(why) { // why: a reason to show in place of the chart's prompt (a divergence)
      st.live = false;
      st.epoch = 0;
      chart.reset(1, why || EMPTY);
      readout.textContent = why || "Measured while and after training.";
    },
    modelReplaced(cause, info) {
      // the line no model can go below is the data's: new data moves it at once
      if (info && Number.isFinite(info.entropy_bits_per_char)) chart.setEntropy(info.entropy_bits_per_char);
      if (info?.history?.length && (cause === "file" || cause === "restore")) {
        st.epoch = info.history.length;
        chart.reset(st.epoch);
      }
    },
  };
}

async function refresh({ engine, page, chart, readout, st }) {
  const t = page.tasks.names;
  if (st.busy || !st.live || !page.ready || !t.hasModel || t.diverged || st.epoch === st.asked) return;
  if (performance.now() < st.next) return; // the estimate takes at most an eighth of the worker's time
  st.busy = true;
  const version = t.version;
  st.asked = st.epoch;
  try {
    const r = await engine.call("elbo", { task: "names", mode: "live" });
    st.next = performance.now() + 7 * r.ms;
    // The reply comes between two chunks: the weights are those of the latest progress.
    if (t.version === version && st.live) {
      chart.add(st.epoch, r.bits_per_char, r.stderr);
      chart.setEntropy(r.entropy_bits_per_char);
      readout.textContent = `Live estimate at epoch ${st.epoch}: ${fmt.fixed(r.bits_per_char, 3)} ± ${fmt.err(r.stderr)} bits per character ` +
        `(${fmt.count(r.rows)} random masks; the data's entropy is ${fmt.fixed(r.entropy_bits_per_char, 3)}).`;
    }
  } catch { /* a replaced or diverged model: the run's end says so */ }
  st.busy = false;
}

async function precise({ engine, chart, readout, st, page }, version) {
  const t = page.tasks.names;
  if (t.version !== version || !t.hasModel || t.diverged) return;
  readout.textContent = "Measuring the bound on every mask of every name…";
  try {
    // in pieces of at most 25 ms: a Generate or a lab request pressed meanwhile is
    // answered between two pieces instead of waiting for the whole measurement
    const r = await engine.pieces("elbo", { task: "names" }, () => t.version !== version);
    if (!r) return;
    const epoch = st.epoch || t.info?.history?.length || 0;
    chart.extend(epoch);
    chart.setPrecise(epoch, r.bits_per_char, r.stderr);
    chart.setEntropy(r.entropy_bits_per_char);
    const how = r.exact ? "exact" : `${fmt.count(r.rows)} rows: ${r.rows <= 20000 ? "every mask of every name, two draws of t each" : "random masks"}`;
    readout.textContent = `Negative ELBO after training: ${fmt.fixed(r.bits_per_char, 3)} ± ${fmt.err(r.stderr)} bits per character (${how}). ` +
      `The entropy of the data is ${fmt.fixed(r.entropy_bits_per_char, 3)} bits per character, the value of a perfect model; ` +
      `this model is ${fmt.fixed(r.bits_per_char - r.entropy_bits_per_char, 3)} bits per character above it.`;
  } catch (e) {
    if (t.version === version) readout.textContent = `Could not measure the bound: ${e.message || e}`;
  }
}
