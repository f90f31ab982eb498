// Section III, "The model": the denoiser's diagram, its sizes read from the real
// model once Python has described it, and, once a names model exists, one
// corrupted training name followed through it (the `trace` request): ids →
// embeddings → hidden units → probabilities. The trace is refreshed when a
// model arrives or a training run ends, never mid-run.
//
//   createModelSection({engine, page});   // -> {}

import { $ } from "../page.js";
import { createDiagram } from "../widgets/diagram.js";
import { createTrace } from "../widgets/trace.js";

const TRACE_T = 0.5;
const BEFORE = "After you train a names model (section IV), one corrupted training name appears here, followed through the diagram: its ids, their embeddings, the hidden layer and the probabilities at each position.";

export function createModelSection({ engine, page }) {
  const diagram = createDiagram($("model-diagram"));
  const s = { engine, page, trace: createTrace($("trace")), index: 0, seed: 1, shown: null, wasRunning: false, busy: false };
  s.trace.clear(BEFORE);
  page.on("model-replaced", ({ task, info }) => {
    if (task !== "names") return;
    if (info) {
      diagram.update(info);
      s.index = Math.max(0, info.entries.indexOf("rahul"));
      s.count = info.entries.length;
    }
    s.shown = null;
    if (!page.tasks.names.hasModel) s.trace.clear(BEFORE);
  });
  page.on("change", () => onChange(s));
  page.on("failed", () => s.trace.clear(BEFORE));
  page.on("trained", ({ task, diverged }) => { // the walkthrough showed weights that are gone
    if (task === "names" && diverged) s.trace.clear("Training diverged: the weights are no longer numbers. " + BEFORE);
  });
  $("trace-next").addEventListener("click", () => {
    const n = s.count || 1;
    s.index = (s.index + 1 + Math.floor(Math.random() * Math.max(1, n - 1))) % n;
    s.seed += 1;
    refresh(s);
  });
  return {};
}

function onChange(s) {
  const { page } = s;
  const running = page.running("names");
  const usable = page.ready && page.usable("names");
  $("trace-next").disabled = !usable || running;
  const key = page.tasks.names.version;
  if (usable && !running && (s.shown !== key || s.wasRunning)) refresh(s);
  s.wasRunning = running;
}

async function refresh(s) {
  const t = s.page.tasks.names;
  if (s.busy) return;
  s.busy = true;
  const version = t.version;
  try {
    const r = await s.engine.call("trace", { index: s.index, t: TRACE_T, seed: s.seed });
    if (t.version === version && s.page.usable("names")) {
      s.trace.show(r);
      s.shown = version;
    }
  } catch { /* no model after all (reset, restart): the next change redraws */ }
  s.busy = false;
}
