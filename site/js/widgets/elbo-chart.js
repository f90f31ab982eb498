// The likelihood bound during training in one SVG: the live estimates of the
// negative ELBO in bits per character (dots joined by a line, each with its standard
// error as a whisker), the precise figure after training (a ringed point), and
// the entropy of the data as a dashed line (no model can go below it). Redraws
// at most once per animation frame; non-finite values are skipped.
//
//   const chart = createElboChart(svg, {empty: "Press Train"});
//   chart.reset(200);                    // clear; the x axis spans 200 epochs
//   chart.setEntropy(0.7603);            // bits per character, or null
//   chart.add(40, 1.92, 0.03);           // epoch, bits per character, standard error
//   chart.setPrecise(200, 0.846, 0.001); // the figure after training
//   chart.extend(720);                   // widen the x axis ("+500 more")

import { err } from "../format.js";

const NS = "http://www.w3.org/2000/svg";
const M = { left: 56, right: 14, top: 14, bottom: 38 }; // room for "0.75" and the rotated title

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

const fin = (x) => typeof x === "number" && Number.isFinite(x);

export function createElboChart(svg, { empty = "No training yet." } = {}) {
  // W, H: the viewBox, which follows the rendered width (from a ResizeObserver: no forced
  // layout), so the text keeps its CSS size on a phone instead of shrinking with the chart
  const st = { points: [], precise: null, entropy: null, xMax: 1, queued: false, empty, W: 640, H: 220, rendered: 0 };
  svg.setAttribute("viewBox", `0 0 ${st.W} ${st.H}`);

  const schedule = () => {
    if (st.queued) return;
    st.queued = true;
    requestAnimationFrame(() => { st.queued = false; draw(svg, st); });
  };
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver((entries) => {
      const w = Math.round(entries[0].contentRect.width);
      if (!w || w === st.rendered) return;
      st.rendered = w;
      schedule();
    }).observe(svg);
  }
  return {
    reset(xMax, emptyText) {
      st.points = [];
      st.precise = null;
      st.xMax = Math.max(1, xMax || 1);
      if (emptyText) st.empty = emptyText;
      schedule();
    },
    extend(xMax) {
      st.xMax = Math.max(st.xMax, xMax);
      schedule();
    },
    setEntropy(bits) {
      st.entropy = fin(bits) ? bits : null;
      schedule();
    },
    add(epoch, bits, stderr) {
      if (!fin(epoch) || !fin(bits)) return;
      st.points.push({ epoch, bits, stderr: fin(stderr) ? stderr : 0 });
      st.xMax = Math.max(st.xMax, epoch);
      schedule();
    },
    setPrecise(epoch, bits, stderr) {
      st.precise = fin(bits) ? { epoch, bits, stderr: fin(stderr) ? stderr : 0 } : null;
      schedule();
    },
    get length() { return st.points.length; },
  };
}

function draw(svg, st) {
  if (st.rendered > 0) {
    st.W = Math.max(280, st.rendered);
    st.H = Math.round(Math.max(170, Math.min(240, st.W * 0.34)));
  }
  const { W, H } = st;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.replaceChildren();
  const all = st.points.concat(st.precise ? [st.precise] : []);
  const values = all.map((p) => p.bits + p.stderr).concat(fin(st.entropy) ? [st.entropy] : []);
  const yMax = Math.max(1, Math.ceil(Math.max(0, ...values) * 2) / 2);
  const px = (e) => M.left + (e / st.xMax) * (W - M.left - M.right);
  const py = (v) => H - M.bottom - (Math.min(v, yMax) / yMax) * (H - M.top - M.bottom);
  drawAxes(svg, st, yMax, px, py);
  if (fin(st.entropy)) {
    el("line", { class: "floor", x1: M.left, x2: W - M.right, y1: py(st.entropy), y2: py(st.entropy) }, svg);
    el("text", { class: "floor-label", x: M.left + 8, y: py(st.entropy) + 16, "text-anchor": "start" }, svg) // below: the bound stays above it
      .textContent = `entropy of the data ${st.entropy.toFixed(3)}`;
  }
  if (!all.length) {
    el("text", { class: "empty", x: (M.left + W - M.right) / 2, y: H / 2, "text-anchor": "middle" }, svg).textContent = st.empty;
  }
  const pts = st.points;
  if (pts.length) {
    const d = pts.map((p, i) => `${i ? "L" : "M"}${px(p.epoch).toFixed(1)},${py(p.bits).toFixed(1)}`).join("");
    el("path", { class: "ema", d }, svg);
    for (const p of pts) {
      const x = px(p.epoch).toFixed(1);
      el("line", { class: "whisker", x1: x, x2: x, y1: py(p.bits - p.stderr).toFixed(1), y2: py(p.bits + p.stderr).toFixed(1) }, svg);
    }
    // a dot for each estimate, so that a single one (a short run) shows too
    for (const p of pts) {
      const c = el("circle", { class: "estimate", cx: px(p.epoch).toFixed(1), cy: py(p.bits).toFixed(1), r: 3.5 }, svg);
      el("title", {}, c).textContent = `epoch ${p.epoch}: ${p.bits.toFixed(3)} ± ${err(p.stderr)} bits per character`;
    }
  }
  if (st.precise) {
    const p = st.precise;
    const c = el("circle", { class: "precise", cx: px(p.epoch).toFixed(1), cy: py(p.bits).toFixed(1), r: 5 }, svg);
    el("title", {}, c).textContent = `precise: ${p.bits.toFixed(3)} ± ${err(p.stderr)} bits per character`;
  }
  svg.setAttribute("aria-label", label(st));
}

function drawAxes(svg, st, yMax, px, py) {
  const { W, H } = st;
  const grid = el("g", { class: "grid" }, svg);
  const step = yMax <= 1 ? 0.25 : yMax <= 3 ? 0.5 : 1;
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    el("line", { x1: M.left, x2: W - M.right, y1: py(v), y2: py(v) }, grid);
    el("text", { x: M.left - 6, y: py(v) + 4, "text-anchor": "end" }, svg).textContent = String(Number(v.toFixed(2)));
  }
  el("line", { class: "axis", x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom }, svg);
  el("line", { class: "axis", x1: M.left, y1: M.top, x2: M.left, y2: H - M.bottom }, svg);
  for (const e of [0, st.xMax / 2, st.xMax]) {
    el("text", { x: px(e), y: H - M.bottom + 16, "text-anchor": "middle" }, svg).textContent = String(Math.round(e));
  }
  el("text", { x: (M.left + W - M.right) / 2, y: H - 4, "text-anchor": "middle" }, svg).textContent = "epoch";
  const yMid = (M.top + H - M.bottom) / 2;
  el("text", { class: "y-title", x: 12, y: yMid, transform: `rotate(-90 12 ${yMid})`, "text-anchor": "middle", "dominant-baseline": "middle" }, svg)
    .textContent = "bits per character";
}

function label(st) {
  const parts = ["Negative ELBO in bits per character against epoch"];
  const last = st.points[st.points.length - 1];
  if (last) parts.push(`latest live estimate ${last.bits.toFixed(3)} at epoch ${last.epoch}`);
  if (st.precise) parts.push(`precise ${st.precise.bits.toFixed(3)} ± ${err(st.precise.stderr)}`);
  if (fin(st.entropy)) parts.push(`entropy of the data ${st.entropy.toFixed(3)}`);
  return parts.join("; ");
}
