// Training time travel: the slider "Training snapshot" scrubs through the weights
// the trainer kept at epochs 0, 1, 2, 3, 4, 6, 8, 12, ... ("snapshots"); each
// position re-runs the same denoising seed with that snapshot's weights
// ("snapshot_sample"), so the reader watches names form as training proceeds,
// beside the training loss of that epoch. Requests are coalesced: while one is
// in flight only the latest slider position is asked next.
//
//   createTimeTravel({engine, state, page});   // -> {}

import { $ } from "../page.js";
import * as fmt from "../format.js";

const N_NAMES = 12;

export function createTimeTravel({ engine, state, page }) {
  const s = {
    engine, state, page, snaps: [], kept: "", busy: false, wanted: null, version: -1,
    slider: $("snapshot"), out: $("snapshot-value"), names: $("snapshot-names"), note: $("snapshot-note"),
  };
  s.slider.addEventListener("input", () => show(s));
  page.on("trained", (d) => { if (d.task === "names") load(s); });
  page.on("run-started", (d) => {
    if (d.task === "names") disable(s, "Training: this run's snapshots appear here when it ends.");
  });
  page.on("model-replaced", (d) => {
    if (d.task !== "names") return;
    s.snaps = [];
    disable(s, d.info?.has_model
      ? "This model was not trained on this page since it opened, so no snapshots were kept; press Train to keep them."
      : "Train a model: its weights are kept at a growing spacing of epochs, and this slider goes back through them.");
  });
  page.on("failed", () => disable(s, "Python stopped; the snapshots were lost with it."));
  return {};
}

function disable(s, text) {
  s.slider.disabled = true;
  s.out.textContent = fmt.DASH;
  s.names.replaceChildren();
  s.note.textContent = text;
}

async function load(s) {
  const t = s.page.tasks.names;
  try {
    const r = await s.engine.call("snapshots", { task: "names" });
    if (s.page.running("names")) return; // a new run began meanwhile: its own snapshots come at its end
    if (!r.snapshots.length) return disable(s, "No snapshots were kept for this model.");
    s.snaps = r.snapshots;
    s.version = t.version;
    s.slider.max = String(r.snapshots.length - 1);
    s.slider.value = s.slider.max;
    s.slider.disabled = false;
    s.kept = `${r.snapshots.length} snapshots kept (at most ${r.max}), holding ${fmt.bytes(r.bytes)} of weights in the worker's memory.`;
    show(s);
  } catch (e) {
    disable(s, `Could not read the snapshots: ${e.message || e}`);
  }
}

function show(s) {
  const snap = s.snaps[Number(s.slider.value)];
  if (!snap) return;
  const loss = snap.loss == null ? "before training" : `training loss ${fmt.fixed(snap.loss, 3)} nats per position`;
  s.out.textContent = `epoch ${snap.epoch}: ${loss}`;
  s.slider.setAttribute("aria-valuetext", s.out.textContent);
  s.wanted = snap.epoch;
  s.note.textContent = `${s.kept} Each shows ${N_NAMES} names from the same denoising seed (the random seed of section IV, ` +
    `${s.state.get("seed")}), 10 steps, temperature 0.8, random order.`; // the seed the next names are drawn with
  if (!s.busy) fetchNames(s);
}

async function fetchNames(s) {
  s.busy = true;
  while (s.wanted !== null) {
    const epoch = s.wanted;
    s.wanted = null;
    try {
      const r = await s.engine.call("snapshot_sample", { epoch, n: N_NAMES, seed: s.state.get("seed"), steps: 10, temperature: 0.8, strategy: "random" });
      if (s.page.tasks.names.version === s.version && s.wanted === null && !s.slider.disabled) drawNames(s, r);
    } catch (e) {
      s.note.textContent = `Could not draw from the snapshot at epoch ${epoch}: ${e.message || e}`;
    }
  }
  s.busy = false;
}

function drawNames(s, r) {
  const frag = document.createDocumentFragment();
  for (const x of r.samples) {
    const li = document.createElement("li");
    li.className = "snapshot-name" + (x.new ? " is-new" : "");
    li.textContent = x.text || "(empty)";
    li.title = x.new ? "not a training name" : "a training name";
    frag.append(li);
  }
  s.names.replaceChildren(frag);
  s.names.dataset.epoch = String(r.epoch);
  s.names.setAttribute("aria-label", `Names from the snapshot at epoch ${r.epoch} (new: not a training name): ` +
    r.samples.map((x) => (x.new ? `${x.text} (new)` : x.text)).join(", "));
}
