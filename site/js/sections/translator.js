// Section XII, "From words to answers": the built-in question → answer pairs,
// Train translator (its epochs), +500 more, Stop and Reset, with the loss chart and
// accuracy, and Translate a word with its timeline (the question stays locked
// while the answer is revealed). The word box shows its length limit before the
// reader breaks it; a word that cannot be translated clears the last answer.
//
//   createTranslator({engine, state, page, kept});   // -> {translate}

import { $, say, errorText, trainingError, momentumNote } from "../page.js";
import * as fmt from "../format.js";
import { bindControls } from "../controls.js";
import { createLossChart } from "../widgets/loss-chart.js";
import { createTimeline } from "../widgets/timeline.js";
import { showList } from "../widgets/entry-list.js";

export function createTranslator({ engine, state, page, kept }) {
  const s = { engine, state, page, kept, translateSeq: 0, message: $("translator-message"), word: $("word"), maxLen: null };
  s.chart = createLossChart($("translator-chart"), { empty: "Press Train translator.", name: "Translator loss" });
  s.chart.reset(page.recipes("translate").default.epochs);
  s.timeline = createTimeline($("tr-timeline"), { label: "Translation timeline" });
  bindControls(state, {
    tr_steps: { el: $("tr-steps"), out: $("tr-steps-value") },
    tr_temperature: { el: $("tr-temperature"), out: $("tr-temperature-value"), show: (v) => (v === 0 ? "0" : v.toFixed(1)) },
  });

  $("tr-epochs").value = String(page.recipes("translate").default.epochs);
  $("train-translator").addEventListener("click", () => trainTranslator(s, true));
  $("tr-more").addEventListener("click", () => trainTranslator(s, false));
  $("tr-stop").addEventListener("click", () => {
    if (page.running("translate")) engine.stop().catch(() => {});
  });
  $("tr-reset").addEventListener("click", () => resetTranslator(s));
  $("translate").addEventListener("click", () => translateWord(s));
  s.word.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      translateWord(s);
    }
  });
  s.word.addEventListener("input", () => s.word.removeAttribute("aria-invalid"));

  page.on("change", () => {
    const running = page.running("translate");
    $("train-translator").disabled = !page.ready || running; // a run is never thrown away silently: Stop first
    $("train-translator").textContent = running ? "Training…" : "Train translator";
    $("tr-epochs").disabled = !page.ready || running; // the run reads it when it starts
    $("tr-more").disabled = !page.ready || running || !page.usable("translate");
    $("tr-stop").disabled = !running;
    $("tr-reset").disabled = !page.ready;
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
  if (cause === "data" || cause === "reset") {
    s.translateSeq += 1; // a translation still arriving belongs to the old model: drop it
    s.chart.reset(trainEpochs());
    $("translator-progress").textContent = fmt.DASH;
    $("accuracy").textContent = "Accuracy: measured after training.";
    $("translation").textContent = "";
    s.timeline.clear("Train the translator, then translate a word.");
  }
  if (cause === "restore" && !loaded) s.chart.reset(trainEpochs());
  if (cause === "file") { // the answer beside the word came from the model the file replaced
    s.translateSeq += 1;
    $("translation").textContent = "";
    s.timeline.clear("Translate a word with the loaded translator.");
  }
  if (!info) return;
  showLimit(s, info.max_question_len, info.vocab);
  showList($("pairs-list"), info.entries.map((e) => e.replace(">", " → ")));
  s.chart.setFloor(info.floor.mean);
  if (info.has_model && info.history?.length) s.chart.setLosses(info.history);
  if (cause === "restore" && loaded) say(s.message, `Restored the translator kept in this browser (${info.history.length} epochs).` +
    momentumNote(info.recipe, s.page.recipes("translate")));
  if (cause === "file") say(s.message, `Loaded a translator from a file (${info.history.length} epochs on ${info.entries.length} pairs).${TYPE_A_WORD}`);
  if (cause === "file" || (cause === "restore" && loaded)) {
    $("translator-progress").textContent = `epoch ${info.history.length}`;
    measureAccuracy(s, version);
  }
}

const MORE_EPOCHS = 500;
const TYPE_A_WORD = " Type a word and press Translate.";
const trainEpochs = () => Number($("tr-epochs").value); // a select: always one of its options

/** The question-length limit and the letters of the translator in use, shown beside the
 *  word box (a letter the pairs never use is refused: describe's ``vocab``). */
function showLimit(s, maxLen, vocab) {
  if (!Number.isInteger(maxLen) || maxLen < 1) return;
  s.maxLen = maxLen;
  const letters = typeof vocab === "string" ? fmt.letterRanges(vocab) : "";
  $("word-hint").textContent = `At most ${maxLen} letters (the longest question it was trained on)` +
    (letters ? `, from those the pairs use: ${letters}.` : ".");
}

/** How the default recipe goes through the pairs: "all pairs at once" (batch size 0, the
 * whole dataset in one step: recipe.py) or "batches of B pairs". */
function batching(s) {
  const n = s.page.tasks.translate.info?.entries.length;
  const b = s.page.recipes("translate").default.batch_size ?? 0;
  return b > 0 && n && n > b ? `batches of ${b} pairs` : "all pairs at once";
}

/** The arguments of a fresh run (`fresh`) or of +500 more, and its epoch target. */
function translatorPlan(s, fresh) {
  const t = s.page.tasks.translate;
  if (fresh) {
    const epochs = trainEpochs();
    t.version += 1;
    t.diverged = false;
    s.chart.reset(epochs);
    say(s.message, `Training the translator: Adam on ${batching(s)}, ${epochs} epochs.`);
    return { target: epochs, base: 0, args: { task: "translate", fresh: true, epochs,
      start: { task: "translate", recipe: "default", epochs, seed: s.state.get("seed") } } };
  }
  const base = s.chart.length;
  s.chart.extend(base + MORE_EPOCHS);
  say(s.message, `Going on for ${MORE_EPOCHS} more epochs.`);
  return { target: base + MORE_EPOCHS, base, args: { task: "translate", fresh: false, epochs: MORE_EPOCHS } };
}

async function resetTranslator(s) {
  const { page, engine } = s;
  if (page.running("translate")) await engine.stop().catch(() => {});
  page.replaceModel("translate", { cause: "reset" });
  s.kept.forgetModel("translate");
  const version = page.tasks.translate.version;
  try {
    await engine.call("reset", { task: "translate" });
    // a Train pressed before this reply has started a run: its message stands
    if (page.tasks.translate.version === version) say(s.message, "Reset: the translator is gone. Press Train translator to start again.");
  } catch (e) {
    if (page.tasks.translate.version === version) say(s.message, `Could not reset: ${errorText(e)}`, "error");
  }
}

function trainTranslator(s, fresh) {
  const { page } = s;
  if (!fresh && !page.usable("translate")) return;
  page.beginRun("translate", () => {
    const t = page.tasks.translate;
    const { target: epochs, base, args } = translatorPlan(s, fresh);
    $("accuracy").textContent = "Accuracy: measured after training.";
    $("translator-progress").textContent = `epoch ${base} / ${epochs}`;
    let queued = false;
    let last = null;
    page.trackRun("translate", epochs, args, (p) => {
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
    }, (r, err, version) => finishTranslator(s, r, err, version, fresh));
  });
}

async function finishTranslator(s, r, err, version, fresh) {
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
  const done = fresh ? `Trained for ${r.epoch} epochs in ${r.elapsed.toFixed(1)} s.`
    : `Trained ${r.done} more epochs in ${r.elapsed.toFixed(1)} s, ${r.epoch} in all.`;
  const stopped = r.stoppedFor ? `Stopped at epoch ${r.epoch}: the names model started training, and one model trains at a time. +500 more goes on from here.`
    : `Stopped at epoch ${r.epoch}. +500 more goes on from here.`;
  say(s.message, r.stopped ? stopped : `${done}${TYPE_A_WORD}`, r.stopped ? "" : "ok");
  await measureAccuracy(s, version); // first what the reader waits for; then keep the model
  if (!r.stopped && t.version === version && checkWord(s.word.value, s.maxLen).word) translateWord(s);
  await s.kept.saveModel("translate", version);
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
export function checkWord(raw, maxLen = null) {
  const w = String(raw).trim().toLowerCase();
  if (!w) return { error: "the word is empty; type an English word such as hello" };
  for (const ch of w) { // the characters first, as the core checks them
    if (ch < "a" || ch > "z") {
      const shown = /\s/.test(ch) ? "a space" : `'${ch}'`;
      return { error: `${shown} is not allowed in '${w.slice(0, 40)}'; use only the letters a-z` };
    }
  }
  if (maxLen && w.length > maxLen) {
    return { error: `'${w.slice(0, 40)}' has ${w.length} letters; this model reads words of at most ${maxLen}` };
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
  const checked = checkWord(input.value, s.maxLen);
  if (checked.error) {
    refuseWord(s, checked.error);
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
    else if (msg.textContent.endsWith(TYPE_A_WORD)) say(msg, msg.textContent.slice(0, -TYPE_A_WORD.length), "ok"); // done: keep only what it says of training
  } catch (e) {
    if (seq !== s.translateSeq) return;
    if (e.kind === "user") refuseWord(s, errorText(e));
    else say(msg, errorText(e), "error");
  }
}

/** A word that cannot be translated: say why, and clear the answer of an earlier word. */
function refuseWord(s, reason) {
  s.word.setAttribute("aria-invalid", "true");
  say(s.message, `${fmt.sentence(reason).replace(/\.$/, "")}. Nothing was run.`, "error"); // as section VII's
  $("translation").textContent = "";
  s.timeline.clear("No translation: fix the word above, then press Translate.");
}
