// "Beyond the seed: your own data": a box of names and a box of question > answer
// pairs, each with Use this data and Back to the built-in data. The text in a
// box is never cleared: on an error the reader fixes it in place. New data drops
// the task's model (a "model-replaced" event with cause "data").
//
//   createYourData({engine, page, kept});   // -> {}

import { $, say, errorText } from "../page.js";
import { NAMES } from "../data.js";
import { sentence } from "../format.js";

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
    page.on("model-replaced", (d) => {
      if (d.task === task && d.cause === "restore" && d.boot) restoreBox(box, d);
      if (d.task === task && d.cause === "file" && d.info) fileData(box, d.info);
    });
  }
  return {};
}

/** A model file brings its own data, now in use: say so beside a box that holds other
 *  entries (the box's text is the reader's and stays). */
function fileData({ area, message, noun }, info) {
  const lines = area.value.split(/\r\n|\r|\n/).map((l) => l.trim().toLowerCase()).filter(Boolean);
  const same = lines.length === info.entries.length && lines.every((l, i) => l.replace(/\s*>\s*/, ">") === info.entries[i]);
  area.removeAttribute("aria-invalid");
  if (same) return say(message, `The loaded model was trained on the ${noun} in this box; they are in use.`, "ok");
  const first = info.entries.slice(0, 3).map((e) => e.replace(">", " → ")).join(", ");
  say(message, `The loaded model brought its own ${info.entries.length} ${noun} (${first}${info.entries.length > 3 ? ", …" : ""}), now in use. ` +
    "Your text stays in the box: press Use this data to train on it instead.");
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
    say(message, `Using your ${info.entries.length} ${noun}${readAs(text, info.entries)}. The old model was dropped: train again.`, "ok");
  } catch (e) {
    area.setAttribute("aria-invalid", "true");
    say(message, sentence(errorText(e)), "error");
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
    say(message, sentence(errorText(e)), "error");
  }
}

/**
 * What the reader may not expect of how their text was read (`entries`: the cleaned
 * entries the core kept): capitals lowered, and entries listed more than once (each
 * copy is a training example of its own). "" when neither happened.
 */
export function readAs(text, entries) {
  const notes = [];
  if (text !== text.toLowerCase()) notes.push("capitals read as small letters");
  const seen = new Map();
  for (const e of entries) seen.set(e, (seen.get(e) || 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1);
  if (twice.length) {
    const [e, n] = twice[0];
    const others = twice.length - 1;
    const more = others ? `, and ${others} other ${others === 1 ? "entry" : "entries"} more than once` : "";
    notes.push(`"${e}" is listed ${n} times${more}; each copy counts`);
  }
  return notes.length ? ` (${notes.join("; ")})` : "";
}
