// Section X's measurement for section I's contrast: "Train left to right". It trains
// a second network beside the reader's names model, the same MLP with the same
// recipe and random seed, autoregressively ("ar_start", then "ar_chunk" calls of
// ~40 ms so the page stays responsive; diffusion_core/autoregressive.py), then
// shows in bits per character: its exact negative log-likelihood, the reader's
// model read left to right (exact too), the reader's model's negative ELBO (the
// "precise" measurement of section IV, same seed, so the same figure), and the
// data's entropy; and twelve names it writes left to right ("ar_result").
//
//   createLeftToRight({engine, page});   // -> {}

import { $, say, errorText, keepPrompt } from "../page.js";
import * as fmt from "../format.js";

const CHUNK_MS = 40;
const N_NAMES = 12;
const SAY_EVERY_MS = 400; // progress in the status line, which screen readers announce
const PROMPTS = {
  none: "Train a names model first (section IV); then press Train left to right.",
  ready: "Press Train left to right: a second network learns the same names one character at a time.",
  training: "The names model is training: Train left to right repeats its recipe once the run ends.",
};

export function createLeftToRight({ engine, page }) {
  const s = { engine, page, running: false, cancelled: false, button: $("ar-train"), message: $("ar-message") };
  const update = () => {
    s.button.disabled = !page.ready || !page.usable("names") || page.running("names") || s.running;
    s.button.textContent = s.running ? "Training left to right…" : "Train left to right";
  };
  page.on("change", update);
  // the table belongs to the names model it was measured with: it goes when that changes
  const drop = (text) => ({ task }) => {
    if (task !== "names") return;
    clearResult();
    if (s.running) cancel(s, text);
    else {
      say(s.message, PROMPTS.none); // a prompt again: keepPrompt sets the right one
      page.changed();
    }
  };
  page.on("model-replaced", drop("Stopped: the names model was replaced."));
  page.on("run-started", drop("Stopped: the names model started training again."));
  keepPrompt(page, "names", s.message, PROMPTS);
  page.on("file-mode", () => say(s.message, "Training needs the page to be served over http (see the note at the top)."));
  s.button.addEventListener("click", () => run(s).finally(update));
  update();
  return {};
}

function clearResult() {
  $("ar-table").hidden = true;
  $("ar-table").replaceChildren();
  $("ar-names").replaceChildren();
  $("ar-names").removeAttribute("aria-label");
}

function cancel(s, text) {
  s.cancelled = true;
  say(s.message, text);
  s.engine.call("ar_cancel", {}).catch(() => {});
}

async function run(s) {
  const { engine, page } = s;
  const version = page.tasks.names.version;
  const stale = () => s.cancelled || page.tasks.names.version !== version;
  const hadFocus = document.activeElement === s.button;
  s.running = true;
  s.cancelled = false;
  clearResult(); // the last table was for the last run
  page.changed();
  try {
    const start = await engine.call("ar_start", { like_model: true });
    const began = performance.now();
    let said = -Infinity;
    let c = { finished: false };
    while (!c.finished) {
      if (stale()) return;
      c = await engine.call("ar_chunk", { max_ms: CHUNK_MS });
      if (stale()) return;
      if (performance.now() - said >= SAY_EVERY_MS || c.finished) { // a status read aloud: not every chunk
        said = performance.now();
        say(s.message, `Training left to right: epoch ${c.epoch} of ${start.epochs} (${((said - began) / 1000).toFixed(1)} s)…`);
      }
    }
    if (c.diverged) return say(s.message, "The left-to-right model diverged; lower the learning rate, Train, and try again.", "error");
    const seconds = (performance.now() - began) / 1000;
    say(s.message, "Measuring both models on every training name…");
    const r = await engine.call("ar_result", { n: N_NAMES, seed: start.seed });
    // the reader's model's negative ELBO, "precise" as in section IV
    const bound = await engine.pieces("elbo", { task: "names" }, stale);
    if (stale()) return;
    drawTable(r, bound);
    drawNames(r);
    const trainingNames = r.samples.filter((x) => x.training).length;
    say(s.message, `Trained left to right: ${start.epochs} epochs in ${seconds.toFixed(1)} s, random seed ${start.seed}, ` +
      `${fmt.count(start.params)} weights, as many as your model's. ${trainingNames} of the ${r.samples.length} names below are training names; ` +
      `each took ${r.nfe} network calls.`, "ok");
  } catch (e) {
    if (!stale()) say(s.message, `Could not train left to right: ${errorText(e)}`, "error");
  } finally {
    s.running = false;
    page.changed();
    if (hadFocus && (document.activeElement === document.body || !document.activeElement)) s.button.focus();
  }
}

function drawTable(r, bound) {
  const table = $("ar-table");
  const cap = document.createElement("caption");
  cap.textContent = "Bits per character on the training names (lower is better)";
  const head = ["Model", "Bits per character", "Measured as", "Network calls per name"];
  const rows = [
    [`Left to right, trained just now (${r.epochs} epochs)`, fmt.fixed(r.nll.bits_per_char, 3), "exact negative log-likelihood", String(r.nfe)],
    [`Your diffusion model (${r.diffusion_epochs} epochs), read left to right`, fmt.fixed(r.diffusion_left_to_right, 3),
      "exact negative log-likelihood, before the word rules", String(r.nfe)],
    [`Your diffusion model (${r.diffusion_epochs} epochs)`, bound ? `${fmt.fixed(bound.bits_per_char, 3)} ± ${fmt.err(bound.stderr)}` : fmt.DASH,
      "negative ELBO: an upper bound on the negative log-likelihood of random order, one position per step",
      `${r.nfe}, one per position (Generate's default takes 10 steps)`],
    ["The data itself", fmt.fixed(r.nll.entropy_bits_per_char, 3), "entropy: no model goes lower", fmt.DASH],
  ];
  const tr = (cells, header) => {
    const row = document.createElement("tr");
    cells.forEach((text, i) => {
      const c = document.createElement(header || i === 0 ? "th" : "td");
      if (header) c.scope = "col";
      else if (i === 0) c.scope = "row";
      c.textContent = text;
      row.append(c);
    });
    return row;
  };
  const thead = document.createElement("thead");
  thead.append(tr(head, true));
  const tbody = document.createElement("tbody");
  tbody.append(...rows.map((cells) => tr(cells, false)));
  table.replaceChildren(cap, thead, tbody);
  table.hidden = false;
}

function drawNames(r) {
  const list = $("ar-names");
  list.replaceChildren(...r.samples.map((x) => {
    const li = document.createElement("li");
    li.className = "snapshot-name" + (x.training ? "" : " is-new");
    li.textContent = x.text || "(empty)";
    li.title = x.training ? "a training name" : "not a training name";
    return li;
  }));
  list.setAttribute("aria-label", `Names written left to right (new: not a training name): ${r.samples.map((x) => (x.training ? x.text : `${x.text} (new)`)).join(", ")}`);
}
