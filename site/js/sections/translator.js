// Section VII, "From words to answers": the built-in question → answer pairs,
// Train translator with its loss chart and accuracy, and Translate a word with
// its timeline (the question stays locked while the answer is revealed).
//
//   createTranslator({engine, state, page, kept});   // -> {translate}

import { $, say, errorText, trainingError } from "../page.js";
import * as fmt from "../format.js";
import { bindControls } from "../controls.js";
import { createLossChart } from "../widgets/loss-chart.js";
import { createTimeline } from "../widgets/timeline.js";
import { showList } from "../widgets/entry-list.js";

export function createTranslator({ engine, state, page, kept }) {
  const s = { engine, state, page, kept, translateSeq: 0, message: $("translator-message"), word: $("word") };
  s.chart = createLossChart($("translator-chart"), { empty: "Press Train translator.", name: "Translator loss" });
  s.chart.reset(page.recipes("translate").default.epochs);
  s.timeline = createTimeline($("tr-timeline"), { label: "Translation timeline" });
  bindControls(state, {
    tr_steps: { el: $("tr-steps"), out: $("tr-steps-value") },
    tr_temperature: { el: $("tr-temperature"), out: $("tr-temperature-value"), show: (v) => (v === 0 ? "0" : v.toFixed(1)) },
  });

  $("train-translator").addEventListener("click", () => trainTranslator(s));
  $("translate").addEventListener("click", () => translateWord(s));
  s.word.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      translateWord(s);
    }
  });
  s.word.addEventListener("input", () => s.word.removeAttribute("aria-invalid"));

  page.on("change", () => {
    $("train-translator").disabled = !page.ready;
    $("translate").disabled = !page.ready;
  });
  page.on("model-replaced", (d) => { if (d.task === "translate") onModelReplaced(s, d); });
  page.on("ready", () => {
    if (!page.tasks.translate.hasModel) say(s.message, "Press Train translator, then translate a word.");
  });
  page.on("failed", () => say(s.message, "Python stopped; use Restart Python at the top of the page. Your settings and text are kept.", "error"));
  page.on("file-mode", () => say(s.message, "Training needs the page to be served over http (see the note at the top)."));
  return { translate: () => translateWord(s) };
}

/** The translator was replaced or dropped (page.js "model-replaced"). */
function onModelReplaced(s, { info, cause, loaded, version }) {
  if (cause === "data") {
    s.chart.reset(s.page.recipes("translate").default.epochs);
    $("translator-progress").textContent = fmt.DASH;
    $("accuracy").textContent = "Accuracy: measured after training.";
    $("translation").textContent = "";
    s.timeline.clear("Train the translator, then translate a word.");
  }
  if (cause === "restore" && !loaded) s.chart.reset(s.page.recipes("translate").default.epochs);
  if (!info) return;
  showList($("pairs-list"), info.entries.map((e) => e.replace(">", " → ")));
  s.chart.setFloor(info.floor.mean);
  if (info.has_model && info.history?.length) s.chart.setLosses(info.history);
  if (cause === "restore" && loaded) say(s.message, `Restored the translator kept in this browser (${info.history.length} epochs).`);
  if (cause === "file" || (cause === "restore" && loaded)) {
    $("translator-progress").textContent = `epoch ${info.history.length}`;
    measureAccuracy(s, version);
  }
}

function trainTranslator(s) {
  const { page } = s;
  page.beginRun("translate", () => {
    const t = page.tasks.translate;
    const epochs = page.recipes("translate").default.epochs;
    t.version += 1;
    t.diverged = false;
    s.chart.reset(epochs);
    $("accuracy").textContent = "Accuracy: measured after training.";
    say(s.message, `Training the translator: Adam on all pairs at once, ${epochs} epochs.`);
    $("translator-progress").textContent = `epoch 0 / ${epochs}`;
    let queued = false;
    let last = null;
    page.trackRun("translate", epochs, {
      task: "translate", fresh: true, epochs,
      start: { task: "translate", recipe: "default", epochs, seed: s.state.get("seed") },
    }, (p) => {
      if (!t.hasModel) {
        t.hasModel = true;
        page.changed();
      }
      s.chart.add(p.losses);
      last = p;
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        $("translator-progress").textContent = `epoch ${last.epoch} / ${epochs} · loss ${fmt.fixed(s.chart.smoothed(), 3)}`;
      });
    }, (r, err, version) => finishTranslator(s, r, err, version));
  });
}

async function finishTranslator(s, r, err, version) {
  const t = s.page.tasks.translate;
  if (t.version !== version) return;
  if (err) {
    say(s.message, trainingError(err), "error");
    return;
  }
  if (r.diverged) {
    t.diverged = true;
    s.kept.forgetModel("translate");
    s.page.changed();
    say(s.message, "Training diverged: press Train translator to start again.", "error");
    return;
  }
  say(s.message, r.stopped ? `Stopped at epoch ${r.epoch}.` : `Trained for ${r.epoch} epochs in ${r.elapsed.toFixed(1)} s. Type a word and press Translate.`, r.stopped ? "" : "ok");
  await s.kept.saveModel("translate", version);
  await measureAccuracy(s, version);
  if (!r.stopped && t.version === version && checkWord(s.word.value).word) translateWord(s);
}

async function measureAccuracy(s, version) {
  const accuracy = $("accuracy");
  accuracy.textContent = "Accuracy: measuring…";
  try {
    const a = await s.engine.call("accuracy", {});
    if (s.page.tasks.translate.version !== version) return;
    accuracy.textContent = `Accuracy: ${a.correct} / ${a.total} exact answers (greedy decoding).`;
  } catch (e) {
    if (s.page.tasks.translate.version === version) accuracy.textContent = `Accuracy: could not measure (${errorText(e)}).`;
  }
}

/** The reader's word, cleaned, or the reason it cannot be used (Python checks it again). */
export function checkWord(raw) {
  const w = String(raw).trim().toLowerCase();
  if (!w) return { error: "the word is empty; type an English word such as hello" };
  for (const ch of w) {
    if (ch < "a" || ch > "z") {
      const shown = /\s/.test(ch) ? "a space" : `'${ch}'`;
      return { error: `${shown} is not allowed in '${w.slice(0, 40)}'; use only the letters a-z` };
    }
  }
  return { word: w };
}

/** Question → answer, with what the training pair says (text only). */
function showTranslation(res) {
  const q = document.createElement("span");
  q.className = "mono";
  q.textContent = res.question;
  const a = document.createElement("span");
  a.className = "mono";
  a.textContent = res.answer;
  let note;
  if (res.expected == null) note = " (not one of the training questions: a guess in the style of its answers, not a translation)";
  else if (res.expected === res.answer) note = " (the training pair's answer)";
  else note = ` (the training pair says ${res.expected})`;
  $("translation").replaceChildren(q, " → ", a, note);
}

async function translateWord(s) {
  const { page, state, word: input, message: msg } = s;
  const seq = ++s.translateSeq; // only the latest request may write its answer or message
  const checked = checkWord(input.value);
  if (checked.error) {
    input.setAttribute("aria-invalid", "true");
    say(msg, checked.error, "error");
    return;
  }
  if (!page.usable("translate")) {
    say(msg, "Train the translator first: press Train translator above.", "error");
    return;
  }
  try {
    const r = await s.engine.call("translate", {
      words: checked.word, steps: state.get("tr_steps"), temperature: state.get("tr_temperature"),
      strategy: "confident", seed: page.nextSeed(state.get("seed")),
    });
    if (seq !== s.translateSeq) return;
    const res = r.results[0];
    input.removeAttribute("aria-invalid");
    s.timeline.show(res.steps, { questionLen: res.question.length + 1 });
    showTranslation(res);
    if (page.running("translate")) say(msg, "Translated with the weights as they are mid-training.");
    else if (msg.dataset.kind === "error") say(msg, "");
  } catch (e) {
    if (seq !== s.translateSeq) return;
    if (e.kind === "user") input.setAttribute("aria-invalid", "true");
    say(msg, errorText(e), "error");
  }
}
