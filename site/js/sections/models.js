// "Beyond the seed: keep a model": download the names model or the translator as
// a file, or load one (a "model-replaced" event with cause "file"). Files over
// 5 MB are refused; a file that cannot be loaded leaves the current model as it is.
//
//   createModels({engine, page, kept});   // -> {}

import { $, say, errorText, momentumNote } from "../page.js";
import * as fmt from "../format.js";

const MAX_MODEL_BYTES = 5 * 1024 * 1024;

export function createModels({ engine, page, kept }) {
  const which = $("model-which");
  const updateButtons = () => {
    $("load-model").disabled = !page.ready;
    $("download-model").disabled = !page.ready || !page.usable(which.value);
  };
  which.addEventListener("change", updateButtons);
  page.on("change", updateButtons);
  $("download-model").addEventListener("click", () => download(engine, which.value, $("download-snapshots").checked));
  $("load-model").addEventListener("change", () => load(engine, page, kept));
  return {};
}

async function download(engine, task, snapshots) {
  const msg = $("model-message");
  try {
    const r = await engine.call("save", { task, snapshots }); // snapshots: only when the reader asks
    const url = URL.createObjectURL(new Blob([r.text], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = r.filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(msg, `Downloaded ${r.filename} (${fmt.bytes(r.text.length)}).`, "ok");
  } catch (e) {
    say(msg, `Could not download: ${errorText(e)}`, "error");
  }
}

async function load(engine, page, kept) {
  const input = $("load-model");
  const msg = $("model-message");
  const file = input.files && input.files[0];
  if (!file) return;
  try {
    if (file.size > MAX_MODEL_BYTES) {
      say(msg, `“${file.name}” is ${fmt.bytes(file.size)}; model files from this page are 0.5–1 MB, or up to 5 MB with their training snapshots, and files over 5 MB are refused. Your current model is kept.`, "error");
      return;
    }
    const text = await file.text();
    const info = await engine.call("load", { text });
    kept.adopt(info, text);
    page.replaceModel(info.task, { info, cause: "file" });
    say(msg, `Loaded a ${info.task === "names" ? "names" : "translator"} model trained for ${info.history.length} epochs on ${info.entries.length} ${info.task === "names" ? "names" : "pairs"}.` +
      momentumNote(info.recipe, page.recipes(info.task)), "ok");
  } catch (e) {
    say(msg, `Could not load “${file.name}”: ${errorText(e)}. Your current model is kept.`, "error");
  } finally {
    input.value = "";
  }
}
