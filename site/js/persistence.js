// What the page keeps in this browser (storage.js) and gives back to Python
// after every start: the reader's data and the last good model of each task.
// No DOM: what was restored reaches the sections as "model-replaced" events
// with cause "restore" (page.js).
//
//   const kept = createPersistence({engine, page});
//   await kept.saveModel("names", version)   // after a run; skipped if the model changed since
//   kept.forgetModel("names")                // a reset, a divergence, new data
//   kept.keepData("names", text | null)      // null: back to the built-in data
//   kept.adopt(info, text)                   // a model file was loaded into Python
//   await kept.restore()                     // after Python is (re)started

import * as storage from "./storage.js";
import { TASKS } from "./page.js";

function sameEntries(a, b) {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
}

export function createPersistence({ engine, page }) {
  const kept = Object.fromEntries(TASKS.map((task) => [task, {
    builtin: null, // the built-in entries
    customText: null, // the reader's accepted data, re-sent after a restart
    savedText: null, // the model file kept for this browser, re-loaded after a restart
  }]));
  const p = { engine, page, kept, firstBoot: true };

  return {
    saveModel: (task, version) => saveModel(p, task, version),
    forgetModel: (task) => forgetModel(p, task),
    keepData: (task, text) => keepData(p, task, text),
    adopt: (info, text) => adopt(p, info, text),
    restore: () => restore(p),
  };
}

async function saveModel(p, task, version) {
  if (p.page.tasks[task].version !== version) return; // replaced meanwhile: nothing to keep
  try {
    // in pieces of at most 25 ms (save_start / save_chunk): writing the whole file takes
    // the worker 70-80 ms, which a Generate pressed meanwhile would wait for
    const stale = () => p.page.tasks[task].version !== version;
    const r = await p.engine.pieces("save", { task }, stale);
    if (!r) return;
    p.kept[task].savedText = r.text;
    if (await storage.put(`model:${task}`, r.text)) performance.mark(`model-kept:${task}`); // the tests wait for it
  } catch { /* storage is a bonus; the page works without it */ }
}

function forgetModel(p, task) {
  p.kept[task].savedText = null;
  storage.remove(`model:${task}`);
}

function keepData(p, task, text) {
  p.kept[task].customText = text;
  if (text === null) storage.remove(`data:${task}`);
  else storage.put(`data:${task}`, text);
}

/** After a model file was loaded into the engine: keep it, and its data. */
function adopt(p, info, text) {
  const task = info.task;
  const custom = !sameEntries(info.entries, p.kept[task].builtin);
  keepData(p, task, custom ? info.entries.join("\n") : null);
  p.kept[task].savedText = text;
  storage.put(`model:${task}`, text);
}

/** After (re)start: describe both tasks, re-send the reader's data, reload kept models. */
async function restore(p) {
  const boot = p.firstBoot;
  p.firstBoot = false;
  for (const task of TASKS) {
    const t = p.kept[task];
    let info = null;
    try {
      const builtin = await p.engine.call("describe", { task });
      t.builtin = t.builtin || builtin.entries;
      info = builtin;
    } catch { continue; }
    const data = t.customText ?? (boot ? await storage.get(`data:${task}`) : null);
    if (data) {
      try {
        info = await p.engine.call("set_data", { task, text: data });
        t.customText = data;
      } catch {
        keepData(p, task, null);
      }
    }
    const model = t.savedText ?? await storage.get(`model:${task}`);
    let loaded = false;
    if (model) {
      try {
        info = await p.engine.call("load", { text: model, task });
        t.savedText = model;
        loaded = true;
      } catch {
        forgetModel(p, task);
      }
    }
    p.page.replaceModel(task, { info, cause: "restore", loaded, boot, text: t.customText, builtin: t.builtin });
  }
}
