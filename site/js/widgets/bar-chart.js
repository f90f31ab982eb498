// Loss by noise level: ten bars in one SVG, drawn once per `show`. A band that
// carries `floor` (the best possible loss in that band, nats per position) gets
// a dash across its bar at that height, and the chart a key for it.
//
//   const chart = createBarChart(svg);
//   chart.show([{t_lo: 0, t_hi: 0.1, loss: 0.01, floor: 0.0}, ...]);   chart.clear("Not measured yet");

const NS = "http://www.w3.org/2000/svg";
const M = { left: 60, right: 14, top: 22, bottom: 40 };
const fin = (x) => typeof x === "number" && Number.isFinite(x);

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

/** A dash across one bar at the band's floor (the best possible loss), with its tooltip. */
function drawFloor(svg, b, x, slot, py) {
  const y = py(b.floor).toFixed(1);
  const dash = el("line", { class: "band-floor", x1: (x - slot * 0.05).toFixed(1), x2: (x + slot * 0.75).toFixed(1), y1: y, y2: y }, svg);
  el("title", {}, dash).textContent = `t ${b.t_lo.toFixed(1)}–${b.t_hi.toFixed(1)}: best possible ${b.floor.toFixed(3)}`;
}

/** The axis titles, and a key for the floor dashes when any band has one. */
function drawTitles(svg, W, H, floors) {
  el("text", { x: W - M.right, y: H - M.bottom + 16, "text-anchor": "middle" }, svg).textContent = "1.0";
  el("text", { x: (M.left + W - M.right) / 2, y: H - 4, "text-anchor": "middle" }, svg).textContent = "noise level t";
  const yMid = (M.top + H - M.bottom) / 2;
  el("text", { class: "y-title", x: 12, y: yMid, transform: `rotate(-90 12 ${yMid})`, "text-anchor": "middle", "dominant-baseline": "middle" }, svg)
    .textContent = "nats per position";
  if (floors) {
    el("line", { class: "band-floor", x1: W - M.right - 118, x2: W - M.right - 100, y1: M.top - 12, y2: M.top - 12 }, svg);
    el("text", { x: W - M.right, y: M.top - 8, "text-anchor": "end" }, svg).textContent = "best possible";
  }
}

/** Axes, grid, one bar per bucket with its value (and floor dash), and the t labels, into `svg` (W × H). */
function drawBars(svg, W, H, buckets) {
  const ok = buckets.filter((b) => fin(b.loss));
  const floors = buckets.filter((b) => fin(b.floor)).map((b) => b.floor);
  const top = Math.max(...ok.map((b) => b.loss), ...floors);
  const plotH = H - M.top - M.bottom;
  let yMax = Math.max(0.5, Math.ceil(top * 2) / 2);
  // the tallest bar's value (about 16 px above it) stays below the floor's key
  if (top / yMax > 1 - 18 / plotH) yMax += 0.5;
  const slot = (W - M.left - M.right) / buckets.length;
  const py = (v) => H - M.bottom - (v / yMax) * plotH;
  const g = el("g", { class: "grid" }, svg);
  for (let v = 0; v <= yMax + 1e-9; v += yMax <= 1 ? 0.25 : 0.5) {
    el("line", { x1: M.left, x2: W - M.right, y1: py(v), y2: py(v) }, g);
    el("text", { x: M.left - 6, y: py(v) + 4, "text-anchor": "end" }, svg).textContent = String(v);
  }
  el("line", { class: "axis", x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom }, svg);
  buckets.forEach((b, i) => {
    const x = M.left + i * slot + slot * 0.15;
    if (fin(b.loss)) {
      const rect = el("rect", { class: "bar", x: x.toFixed(1), width: (slot * 0.7).toFixed(1), y: py(b.loss).toFixed(1), height: Math.max(0.5, H - M.bottom - py(b.loss)).toFixed(1) }, svg);
      el("title", {}, rect).textContent = `t ${b.t_lo.toFixed(1)}–${b.t_hi.toFixed(1)}: loss ${b.loss.toFixed(3)}`;
      if (fin(b.floor)) drawFloor(svg, b, x, slot, py);
      if (slot >= 34) el("text", { class: "bar-value", x: (x + slot * 0.35).toFixed(1), y: (py(b.loss) - 4).toFixed(1), "text-anchor": "middle" }, svg).textContent = b.loss.toFixed(2);
    }
    if (i % 2 === 0 || buckets.length <= 5) {
      el("text", { x: (M.left + i * slot).toFixed(1), y: H - M.bottom + 16, "text-anchor": "middle" }, svg).textContent = b.t_lo.toFixed(1);
    }
  });
  drawTitles(svg, W, H, floors.length > 0);
}

export function createBarChart(svg, { empty = "Measured after training." } = {}) {
  let W = 640, H = 220; // the viewBox follows the rendered size, so text stays at its CSS size
  let last = null; // what is shown: [buckets] or the empty text
  let rendered = 0; // the SVG's width on the page, from the ResizeObserver (0: not laid out yet)

  function measure() {
    const w = rendered; // no forced layout: the ResizeObserver below gives the width
    if (w > 0) {
      W = Math.max(280, w);
      H = Math.round(Math.max(170, Math.min(240, W * 0.34)));
    }
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  }

  function clear(text = empty) {
    last = text;
    measure();
    svg.replaceChildren();
    const t = el("text", { class: "empty", x: W / 2, y: H / 2, "text-anchor": "middle" }, svg);
    t.textContent = text;
    svg.setAttribute("aria-label", `Loss by noise level: ${text}`);
  }

  function show(buckets) {
    const ok = buckets.filter((b) => fin(b.loss));
    if (!ok.length) return clear();
    last = buckets;
    measure();
    svg.replaceChildren();
    drawBars(svg, W, H, buckets);
    svg.setAttribute("aria-label", "Loss by noise level, nats per position: " +
      ok.map((b) => `t ${b.t_lo.toFixed(1)} to ${b.t_hi.toFixed(1)}: ${b.loss.toFixed(2)}` +
        (fin(b.floor) ? ` (best possible ${b.floor.toFixed(2)})` : "")).join("; "));
  }

  clear();
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver((entries) => {
      const w = Math.round(entries[0].contentRect.width);
      if (!w || w === rendered) return;
      rendered = w;
      requestAnimationFrame(() => (typeof last === "string" ? clear(last) : show(last)));
    }).observe(svg);
  }
  return { show, clear };
}
