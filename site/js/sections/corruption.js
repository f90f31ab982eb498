// Section II, "How corruption dissolves a name": the noise-level slider over the
// training names, and the list of those names. Works before Python is ready
// with the built-in names (data.js); the reader's own names replace them.
//
//   createCorruptionSection({page});   // -> the widget ({setNames, ...})

import { $ } from "../page.js";
import { NAMES } from "../data.js";
import { createCorruption } from "../widgets/corruption.js";
import { showList } from "../widgets/entry-list.js";

export function createCorruptionSection({ page }) {
  const corruption = createCorruption({
    slider: $("noise-t"), output: $("noise-t-value"), button: $("resample-mask"),
    rows: $("corruption-names"), count: $("mask-count"), names: NAMES,
  });
  showList($("names-list"), NAMES);
  page.on("model-replaced", ({ task, info }) => {
    if (task !== "names" || !info) return;
    showList($("names-list"), info.entries);
    corruption.setNames(info.entries);
  });
  return corruption;
}
