// "Beyond the seed: your own data": a box of names and a box of question > answer
// pairs, each with Use this data and Back to the built-in data. The text in a
// box is never cleared: on an error the reader fixes it in place. New data drops
// the task's model (a "model-replaced" event with cause "data").
//
//   createYourData({engine, page, kept});   // -> {}

import { $, say, errorText } from "../page.js";
import { NAMES } from "../data.js";

const BOXES = {
  names: { area: "names-data", use: "use-names", builtin: "builtin-names", message: "data-message", noun: "names" },
  translate: { area: "pairs-data", use: "use-pairs", builtin: "builtin-pairs", message: "pairs-message", noun: "pairs" },
};

export function createYourData({ engine, page, kept }) {
  $("names-data").value = NAMES.join("\n");
  for (const [task, ids] of Object.entries(BOXES)) {
    const box = { task, noun: ids.noun, area: $(ids.area), use: $(ids.use), builtin: $(ids.builtin), message: $(ids.message) };
    box.use.addEventListener("click", () => useData(engine, page, kept, box));
    box.builtin.addEventListener("click", () => useBuiltin(engine, page, kept, box));
    page.on("change", () => {
      box.use.disabled = !page.ready;
      box.builtin.disabled = !page.ready;
    });
    page.on("model-replaced", (d) => { if (d.task === task && d.cause === "restore" && d.boot) restoreBox(box, d); });
  }
  return {};
}

/** On the first start: the reader's kept data back in its box, else the built-in pairs. */
function restoreBox(box, { text, builtin }) {
  if (text) box.area.value = text;
  else if (box.task === "translate" && !box.area.value && builtin) box.area.value = builtin.join("\n");
}

async function useData(engine, page, kept, { task, noun, area, message }) {
  const text = area.value; // never cleared: on an error the reader fixes it in place
  try {
    const info = await engine.call("set_data", { task, text });
    area.removeAttribute("aria-invalid");
    kept.forgetModel(task);
    page.replaceModel(task, { info, cause: "data" });
    kept.keepData(task, text);
    say(message, `Using your ${info.entries.length} ${noun}. The old model was dropped: train again.`, "ok");
  } catch (e) {
    area.setAttribute("aria-invalid", "true");
    say(message, errorText(e), "error");
  }
}

async function useBuiltin(engine, page, kept, { task, noun, area, message }) {
  try {
    const info = await engine.call("set_data", { task, builtin: true });
    area.removeAttribute("aria-invalid");
    kept.forgetModel(task);
    page.replaceModel(task, { info, cause: "data" });
    kept.keepData(task, null);
    say(message, `Back to the ${info.entries.length} built-in ${noun}; your text stays in the box. The old model was dropped: train again.`, "ok");
  } catch (e) {
    say(message, errorText(e), "error");
  }
}
