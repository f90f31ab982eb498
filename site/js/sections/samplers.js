// Lab, "Samplers side by side": one model, one seed, one step budget, every
// unmasking rule; one timeline per rule with its network calls (NFE), and the
// threshold rule's per-step confidence. Same seed again repeats the last run's seed;
// the replay slider stops every column after one step. The "Sampler" select picks the rule that
// is outlined here and drawn in colour in the quality plot (page event
// "lab-sampler", {strategy}); it shares the address's "sampler" setting with the quality
// plot's "Rule in colour", so either menu changes both.
//
//   createSamplers({engine, state, page});   // -> {}: it answers to page events only

import { $, say, errorText, keepPrompt } from "../page.js";
import { RULES, RULE_NAME, THRESHOLD } from "../rules.js";
import { createTimeline } from "../widgets/timeline.js";
import { createLineChart } from "../widgets/line-chart.js";
import { fillTable } from "../widgets/grid-table.js";
import { bindControls } from "../controls.js";
import { plural } from "../format.js";

const TEMPERATURE = 1;
const SLICE_MS = 20;
const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r())); // the denoiser's own distribution, as in the quality plot

export function createSamplers({ engine, state, page }) {
  const s = { engine, state, page, busy: false, run: 0, lastSeed: null, message: $("compare-message"), grid: $("compare-grid") };
  $("compare-samplers").addEventListener("click", () => compare(s));
  $("compare-again").addEventListener("click", () => compare(s, s.lastSeed));
  $("compare-replay").addEventListener("input", () => replay(s));
  page.on("change", () => updateButtons(s));
  const prompt = {
    none: "Train a names model first (section IV); then press Compare samplers.",
    ready: "Press Compare samplers: the seven rules write a name each on the current model, side by side.",
    training: "The names model is training: Compare samplers works again when the run ends, on the weights it ends with.",
  };
  const drop = ({ task }) => { // the model the grid was drawn with is gone or changing
    if (task !== "names") return;
    s.run += 1; // a comparison still arriving belongs to the old model: drop it
    s.lastSeed = null;
    s.grid.replaceChildren();
    setReplay(null);
    say(s.message, prompt.none); // the next "change" makes it the prompt that fits the model
  };
  page.on("model-replaced", drop);
  page.on("run-started", drop);
  keepPrompt(page, "names", s.message, prompt);
  // the three choices live in the page's address with the shared setup (state.js)
  bindControls(state, { sampler: { el: $("lab-sampler") }, budget: { el: $("compare-steps") }, denoiser: { el: $("compare-denoiser") } });
  const changed = () => { // the grid on show was run with other settings
    if (s.grid.children.length && !s.busy) say(s.message, settingsChanged());
  };
  for (const id of ["compare-steps", "compare-denoiser"]) $(id).addEventListener("change", changed);
  state.addEventListener("change", (e) => {
    if (e.detail.name === "sampler") { // from this menu, the quality plot's, or the address
      $("lab-sampler").value = state.get("sampler");
      highlight(s);
    } else if (e.detail.source === "hash" && (e.detail.name === "budget" || e.detail.name === "denoiser")) {
      changed(); // from the address (a link, the back button)
    }
  });
  highlight(s);
  return {};
}

function updateButtons(s) {
  // not while the names model trains: the seven columns would each see other weights
  const can = s.page.ready && s.page.usable("names") && !s.busy && !s.page.running("names");
  $("compare-samplers").disabled = !can;
  $("compare-again").disabled = !can || s.lastSeed === null;
}

/** What to say when the settings differ from those of the grid on show. */
function settingsChanged() {
  return `Settings changed: the columns below are from the last run; press Compare samplers (a new seed) or Same seed again to run with ${plural(Number($("compare-steps").value), "step")} on ${$("compare-denoiser").value === "oracle" ? "the exact posterior" : "the trained model"}.`;
}

/** The replay slider for a grid whose longest column has `last` steps (null: no grid). */
function setReplay(last) {
  const el = $("compare-replay");
  el.disabled = last === null;
  el.max = String(last ?? 0);
  el.value = el.max;
  if (last === null) $("compare-replay-value").textContent = "–";
}

/** Every column as it stood after the slider's step: later rows fade, the current one is marked. */
function replay(s) {
  const el = $("compare-replay");
  const at = Number(el.value), last = Number(el.max);
  for (const row of s.grid.querySelectorAll(".tl-row")) {
    const from = Number(row.dataset.from);
    row.classList.toggle("tl-later", from > at);
    row.classList.toggle("tl-now", at < last && from <= at && at <= Number(row.dataset.to));
  }
  const text = at >= last ? `all ${plural(last, "step")}` : `after step ${at} of ${last}`;
  $("compare-replay-value").textContent = text;
  el.setAttribute("aria-valuetext", text);
}

function highlight(s) {
  const strategy = $("lab-sampler").value;
  for (const col of s.grid.querySelectorAll(".cmp-col")) col.classList.toggle("chosen", col.dataset.strategy === strategy);
  s.page.emit("lab-sampler", { strategy });
}

/**
 * Run every rule in one worker call and draw one column per rule: with a new seed, or
 * with `seed` (Same seed again: the last run's, so only the settings changed since differ).
 */
async function compare(s, seed = null) {
  const { page } = s;
  if (s.busy || !page.usable("names") || page.running("names")) return;
  s.busy = true;
  updateButtons(s);
  const run = ++s.run;
  const steps = Number($("compare-steps").value);
  const denoiser = $("compare-denoiser").value;
  if (seed === null) seed = page.nextSeed(s.state.get("seed"));
  const began = performance.now();
  const who = denoiser === "oracle" ? "the exact posterior (oracle)" : "the trained model";
  say(s.message, `Running ${RULES.length} samplers on ${who}…`);
  try {
    const r = await s.engine.call("compare", { strategies: RULES.map((x) => x.id), steps, seed, denoiser, n: 1, temperature: TEMPERATURE });
    performance.measure("compare-call", { start: began }); // the worker's part, with the messages
    if (run !== s.run) return;
    // columns in slices of at most ~20 ms of drawing: no main-thread task grows with the budget
    let slice = performance.now();
    for (const [k, res] of r.results.entries()) {
      if (performance.now() - slice > SLICE_MS) {
        await nextFrame();
        if (run !== s.run) return;
        slice = performance.now();
      }
      const t0 = performance.now();
      const col = column(res);
      col.classList.toggle("chosen", res.strategy === $("lab-sampler").value);
      if (k === 0) {
        s.grid.replaceChildren();
        setReplay(null);
      }
      s.grid.append(col);
      performance.measure("compare-column", { start: t0 });
    }
    const ms = performance.now() - began;
    s.lastSeed = seed;
    setReplay(Math.max(...r.results.map((res) => res.samples[0].steps.length - 1)));
    replay(s);
    const changed = Number($("compare-steps").value) !== steps || $("compare-denoiser").value !== denoiser; // during the run
    say(s.message, `${plural(steps, "step")}, seed ${seed}, temperature ${TEMPERATURE}, ${who}: ${RULES.length} samplers in ${Math.round(ms)} ms.` +
      (changed ? ` ${settingsChanged()}` : ""), "ok");
  } catch (e) {
    if (run === s.run) say(s.message, `Could not compare: ${errorText(e)}`, "error");
  } finally {
    s.busy = false;
    updateButtons(s);
  }
}

function line(cls, str) {
  const p = document.createElement("p");
  p.className = cls;
  p.textContent = str;
  return p;
}

/** One rule's column: its name, the name it wrote, its NFE and its timeline. */
function column(res) {
  const sample = res.samples[0];
  const col = document.createElement("article");
  col.className = "cmp-col";
  col.dataset.strategy = res.strategy;
  const h = document.createElement("h3");
  h.className = "cmp-title";
  h.id = `cmp-title-${res.strategy}`;
  h.textContent = RULE_NAME[res.strategy] || res.strategy;
  const result = line("cmp-result", `“${sample.text}” · ${sample.training ? "a training name" : "new"}`);
  const calls = sample.nfe === sample.nfe_uncached
    ? `${plural(sample.nfe, "network call")} (NFE)`
    : `${plural(sample.nfe, "network call")} (NFE); ${sample.nfe_uncached} if every step called it`;
  const nfe = line("cmp-nfe", calls);
  nfe.dataset.nfe = String(sample.nfe);
  nfe.dataset.nfeUncached = String(sample.nfe_uncached);
  const tl = document.createElement("div");
  tl.className = "timeline cmp-timeline";
  tl.setAttribute("aria-labelledby", h.id);
  createTimeline(tl).show(sample.steps, { collapse: true }); // quiet runs of steps: one row
  col.append(h, result, nfe);
  const remasked = sample.steps.reduce((k, st) => k + (st.remasked ? st.remasked.length : 0), 0);
  if (res.strategy === "remdm") {
    col.append(line("cmp-note", remasked ? `${remasked} character${remasked === 1 ? "" : "s"} masked again (outlined in red)` : "no character masked again this time"));
  }
  col.append(tl);
  if (res.strategy === "threshold") col.append(confidence(sample.steps));
  return col;
}

/** The threshold rule's per-step confidence: least sure remaining position and mean. */
function confidence(steps) {
  const rows = steps.slice(1).map((st, k) => ({ step: k + 1, min: st.conf_min, mean: st.conf_mean }));
  const wrap = document.createElement("div");
  wrap.className = "cmp-conf";
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "chart line-chart small");
  svg.id = "threshold-confidence";
  wrap.append(svg);
  const chart = createLineChart(svg, { width: 320, height: 190, xLabel: "step", yLabel: "confidence", name: "Confidence per step" });
  chart.show([
    { label: "least sure masked position", points: rows.map((r) => [r.step, r.min]), cls: "conf-min", highlight: true },
    { label: "mean over masked positions", points: rows.map((r) => [r.step, r.mean]), cls: "conf-mean", highlight: true },
  ], {
    xTicks: rows.map((r) => r.step), yMax: 1, yTicks: [0, 0.5, 1], ref: { y: THRESHOLD, label: `threshold ${THRESHOLD}` },
    summary: `Confidence per step: least sure ${rows.map((r) => fmt(r.min)).join(", ")}; mean ${rows.map((r) => fmt(r.mean)).join(", ")}`,
  });
  const key = document.createElement("p");
  key.className = "cmp-key";
  key.textContent = "Solid line: the least sure masked position. Dashed: the mean over masked positions. Dotted: the threshold.";
  wrap.append(key, confTable(rows));
  return wrap;
}

const fmt = (v) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(2) : "–");

function confTable(rows) {
  const table = document.createElement("table");
  table.className = "num-table compact";
  fillTable(table, {
    caption: "Confidence (the model's probability of the character it drew) before each step, over the positions still masked",
    columns: ["least sure", "mean"],
    rows: rows.map((r) => ({ head: `step ${r.step}`, cells: [fmt(r.min), fmt(r.mean)] })),
  });
  return table;
}
