// Lab, "Quality against steps": every rule at 1, 2, 4, 7, 10, 20 and 40 steps,
// the trained model beside the exact posterior (the oracle), computed in the
// worker in chunks (engine.job: quality_start / quality_chunk / quality_cancel)
// with progress and Stop. The "Measure" select picks what is plotted; the rule
// chosen in the samplers section (page event "lab-sampler") is drawn in colour, and
// "Rule in colour" here chooses it too (the address's "sampler" setting, shared with
// that section's menu). The same numbers are in a table under the chart.
//
//   createQuality({engine, state, page});   // -> {}: it answers to page events only

import { $, say, errorText, keepPrompt } from "../page.js";
import { RULES, RULE_NAME } from "../rules.js";
import { createLineChart } from "../widgets/line-chart.js";
import { fillTable } from "../widgets/grid-table.js";
import { bindControls } from "../controls.js";

const STEPS = [1, 2, 4, 7, 10, 20, 40];

/**
 * The Wilson score interval of a share `p` (k / n: k of `n` draws) at z (1.96: 95 %).
 * Returns [lo, hi] within [0, 1], or NaNs for n < 1 or p outside [0, 1]; unlike
 * p ± z·SE it has width at p = 0 and p = 1.
 * Source: E. B. Wilson, "Probable inference, the law of succession, and statistical
 * inference", JASA 22 (1927) 209-212. Example: 8 of 16 gives [0.280, 0.720].
 */
export function wilson(p, n, z = 1.96) {
  if (!(n > 0) || !(p >= 0 && p <= 1)) return [NaN, NaN];
  const z2n = (z * z) / n;
  const mid = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt(p * (1 - p) / n + z2n / (4 * n))) / (1 + z2n);
  return [Math.max(0, mid - half), Math.min(1, mid + half)];
}
const pct = (v) => `${Math.round(v * 100)}%`;
const num = (d) => (v) => v.toFixed(d);
// key: the table row's field; y: the axis title (with its unit); cell: a table cell
export const MEASURES = {
  // share: a fraction of the names drawn, shown with its 95 % interval
  training_share: { y: "training names (% of samples)", max: 1, tick: pct, cell: (v) => `${(v * 100).toFixed(1)}%`, share: true },
  novelty: { y: "novel names, not in training (% of samples)", max: 1, tick: pct, cell: (v) => `${(v * 100).toFixed(1)}%`, share: true },
  distinct: { y: "distinct names (count)", max: "n", tick: num(0), cell: num(0) },
  removed_mass: { y: "probability removed by the word rules (%)", tick: (v) => `${(v * 100).toFixed(1)}%`, cell: (v) => `${(v * 100).toFixed(2)}%` },
  tv: { y: "total variation from the data (0 to 1)", max: 1, tick: num(1), cell: num(3) },
  chi2_per_df: { y: "χ² per degree of freedom (1 = exact)", tick: num(1), cell: num(2) },
  kl_bits: { y: "KL from the data (bits)", tick: num(2), cell: num(3) },
  nfe: { y: "network calls per name (NFE)", tick: num(0), cell: num(1) },
};

export function createQuality({ engine, state, page }) {
  const s = {
    engine, page, rows: new Map(), running: false, version: 0, n: 0, strategy: "random", pending: false,
    message: $("quality-message"), progress: $("quality-progress"),
  };
  s.chart = createLineChart($("quality-chart"), { xLabel: "steps (log scale)", logX: true, name: "Quality against steps" });
  s.chart.clear("Press Plot quality against steps.");
  $("quality-run").addEventListener("click", () => start(s));
  $("quality-stop").addEventListener("click", () => stop(s));
  $("quality-metric").addEventListener("change", () => schedule(s));
  const pick = $("quality-highlight");
  pick.replaceChildren(...RULES.map((r) => new Option(r.name, r.id)));
  bindControls(state, { sampler: { el: pick } }); // the samplers section answers with "lab-sampler"
  page.on("lab-sampler", ({ strategy }) => {
    s.strategy = strategy;
    pick.value = strategy;
    schedule(s);
  });
  page.on("change", () => updateButtons(s));
  const prompt = {
    none: "Train a names model first (section IV); then press Plot quality against steps.",
    ready: "Press Plot quality against steps: every rule at every step budget, on the model and on the oracle.",
    training: "The names model is training: Plot quality against steps works again when the run ends, on the weights it ends with.",
  };
  keepPrompt(page, "names", s.message, prompt);
  const drop = ({ task }) => { // the model the curves were drawn with is gone or changing
    if (task !== "names") return;
    s.version += 1;
    if (s.running) stop(s);
    s.rows.clear();
    s.progress.hidden = true;
    say(s.message, prompt.none); // the next "change" makes it the prompt that fits the model
    schedule(s);
  };
  page.on("model-replaced", drop);
  page.on("run-started", drop);
  $("quality-n").addEventListener("change", () => { // the plot on show was drawn with another n
    if (!s.running && s.rows.size && Number($("quality-n").value) !== s.n) {
      say(s.message, `Names per cell changed: the curves below have ${s.n} names per cell; press Plot quality against steps to draw ${$("quality-n").value}.`);
    }
  });
  return {};
}

function updateButtons(s) {
  const { page } = s;
  $("quality-run").disabled = !page.ready || !page.usable("names") || s.running || page.running("names");
  $("quality-stop").disabled = !s.running;
}

function key(r) {
  return `${r.denoiser}|${r.strategy}|${r.steps}`;
}

async function start(s) {
  const { page } = s;
  if (s.running || !page.usable("names") || page.running("names")) return;
  s.running = true;
  s.rows.clear();
  s.n = Number($("quality-n").value);
  const version = s.version;
  updateButtons(s);
  schedule(s);
  s.progress.value = 0;
  s.progress.hidden = false;
  const began = performance.now();
  say(s.message, `Drawing ${s.n} names per cell…`);
  const spec = { start: "quality_start", chunk: "quality_chunk", cancel: "quality_cancel", args: { n: s.n, seed: 0 }, chunk_args: { max_ms: 30 } };
  try {
    const r = await s.engine.job(spec, (p) => {
      if (version !== s.version) return;
      for (const row of p.rows || []) s.rows.set(key(row), row);
      s.progress.value = p.progress;
      say(s.message, `${p.done} of ${p.total} pieces of work (${Math.round(p.progress * 100)}%), ${((performance.now() - began) / 1000).toFixed(1)} s…`);
      schedule(s);
    });
    if (version !== s.version) return;
    const secs = ((performance.now() - began) / 1000).toFixed(1);
    const cells = r.start.cells;
    say(s.message, r.stopped
      ? `Stopped after ${r.last ? r.last.done : 0} of ${r.start.total} pieces; the curves show the cells finished so far.`
      : `${cells} cells (${RULES.length - 1} rules × ${STEPS.length} step budgets, and left to right once, for the model and for the oracle), ${r.start.n} names each, in ${secs} s.`,
    r.stopped ? "" : "ok");
  } catch (e) {
    say(s.message, `Could not compute the plot: ${errorText(e)}`, "error");
  } finally {
    s.running = false;
    s.progress.hidden = true; // the message says how far it got
    updateButtons(s);
    schedule(s);
  }
}

async function stop(s) {
  if (!s.running) return;
  $("quality-stop").disabled = true;
  await s.engine.stopJob().catch(() => {});
}

// While the plot is computing, redraw at most every REDRAW_MS: each redraw lays out the
// chart again, and a redraw per chunk kept the main thread busy (make bench, lab cases).
const REDRAW_MS = 400;

function schedule(s) {
  if (s.pending) return;
  s.pending = true;
  const wait = s.running ? Math.max(0, (s.drawnAt || 0) + REDRAW_MS - performance.now()) : 0;
  setTimeout(() => requestAnimationFrame(() => {
    s.pending = false;
    s.drawnAt = performance.now();
    draw(s);
  }), wait);
}

/** The measure's value for (denoiser, rule, steps), or undefined. */
function value(s, m, den, rule, k) {
  const r = s.rows.get(`${den}|${rule}|${k}`);
  const v = r ? r[m] : undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function yRange(s, m, spec) {
  if (spec.max === "n") return Math.max(1, s.n || 1);
  if (typeof spec.max === "number") return spec.max;
  let top = 0;
  for (const r of s.rows.values()) if (typeof r[m] === "number" && Number.isFinite(r[m])) top = Math.max(top, r[m]);
  if (top <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(top));
  return Math.ceil((top * 1.05) / p) * p;
}

function draw(s) {
  const t0 = performance.now();
  drawNow(s);
  performance.measure("quality-draw", { start: t0 }); // make bench and the tests read it
}

function drawNow(s) {
  const m = $("quality-metric").value;
  const spec = MEASURES[m];
  $("quality-rule").textContent = RULE_NAME[s.strategy] || s.strategy;
  if (!s.rows.size) {
    s.chart.clear(s.running ? "Computing…" : "Press Plot quality against steps.");
    fillTable($("quality-table"), null);
    return;
  }
  const series = [];
  const point = (k, v) => (spec.share && v !== undefined ? [k, v, ...wilson(v, s.n)] : [k, v]);
  for (const rule of RULES) {
    for (const den of ["model", "oracle"]) {
      series.push({
        label: `${RULE_NAME[rule.id]}, ${den === "model" ? "trained model" : "oracle"}`,
        points: STEPS.map((k) => point(k, value(s, m, den, rule.id, k))),
        cls: den, highlight: rule.id === s.strategy, dx: den === "model" ? -3 : 3,
      });
    }
  }
  const shown = ([, v, lo, hi]) => (v === undefined ? "–" : spec.cell(v) + (Number.isFinite(lo) ? ` (95 % interval ${spec.cell(lo)}–${spec.cell(hi)})` : ""));
  const yMax = yRange(s, m, spec);
  const chosen = series.filter((x) => x.highlight);
  s.chart.show(series, {
    xTicks: STEPS, yMax, yTicks: [0, yMax / 2, yMax], yFormat: spec.tick, yLabel: spec.y,
    summary: `${spec.y} against steps for ${RULE_NAME[s.strategy]}: ` + chosen.map((x) =>
      `${x.label} ${x.points.map((pt) => `${pt[0]}: ${shown(pt)}`).join(", ")}`).join("; "),
  });
  if (s.running) return; // the table (every cell as text) is filled once, when the plot ends
  fillTable($("quality-table"), {
    caption: `${spec.y}, ${s.n} names per cell; rows: rule and denoiser, columns: steps`,
    columns: STEPS.map(String),
    rows: series.map((x) => ({ head: x.label, cells: x.points.map(([, v]) => (v === undefined ? "–" : spec.cell(v))), highlight: x.highlight })),
  });
  $("quality-table").dataset.measure = m;
}
