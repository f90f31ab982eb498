// "What the model weighs": the Top candidates panels beside the live prediction
// (section IV), the Generate timeline (section V) and the translator's timeline
// (section XII). Each panel shows, for the focused or clicked cell, the model's
// five likeliest characters beside the exact posterior's (the oracle, asked
// through the `beliefs` request) and the training entries that fit.
//
//   createBeliefs({engine, state, page});   // -> {}

import { $ } from "../page.js";
import { createBeliefsPanel } from "../widgets/beliefs.js";
import { linkTimeline, linkPrediction } from "../widgets/beliefs-link.js";

/** A panel element placed right after `anchor` (inside the anchor's widget). */
function panelAfter(anchor, id) {
  const el = document.createElement("div");
  el.id = id;
  anchor.after(el);
  return createBeliefsPanel(el, { id });
}

export function createBeliefs({ engine, state, page }) {
  const ask = (task, lettersOnly = false) => (row) => {
    if (!page.ready || !page.usable(task)) return Promise.reject(new Error("train a model first"));
    return engine.call("beliefs", { task, row, letters_only: lettersOnly });
  };
  const panels = {
    prediction: panelAfter($("prediction"), "prediction-beliefs"),
    timeline: panelAfter($("timeline"), "timeline-beliefs"),
    translator: panelAfter($("tr-timeline"), "tr-timeline-beliefs"),
  };
  linkPrediction($("prediction"), panels.prediction, { ask: ask("names") });
  linkTimeline($("timeline"), panels.timeline, { ask: ask("names"), temperature: () => state.get("temperature") });
  linkTimeline($("tr-timeline"), panels.translator, { ask: ask("translate"), temperature: () => state.get("tr_temperature"), noun: "pairs" });
  page.on("model-replaced", ({ task }) => {
    if (task === "names") {
      panels.prediction.clear();
      panels.timeline.clear();
    } else panels.translator.clear();
  });
  return {};
}
