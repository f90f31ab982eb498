// Section III, "The model": the denoiser's diagram, and the model's sizes and
// loss floor wherever the article quotes them (the elements with data-fill,
// also in the abstract), read from the real model once Python has described it.
//
//   createModelSection({page});   // -> {}

import { $ } from "../page.js";
import * as fmt from "../format.js";
import { createDiagram } from "../widgets/diagram.js";

function fill(key, text) {
  for (const el of document.querySelectorAll(`[data-fill="${key}"]`)) el.textContent = text;
}

export function createModelSection({ page }) {
  const diagram = createDiagram($("model-diagram"));
  page.on("model-replaced", ({ task, info }) => {
    if (task !== "names" || !info) return;
    diagram.update(info);
    fill("n-params", fmt.count(info.config.n_params));
    fill("L", String(info.config.seq_len));
    fill("E", String(info.config.embed_dim));
    fill("H", String(info.config.hidden));
    fill("floor", info.floor.mean.toFixed(3));
  });
  return {};
}
