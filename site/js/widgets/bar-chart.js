// Loss by noise level: ten bars in one SVG, drawn once per `show`.
//
//   const chart = createBarChart(svg);
//   chart.show([{t_lo: 0, t_hi: 0.1, loss: 0.01}, ...]);   chart.clear("Not measured yet");

const NS = "http://www.w3.org/2000/svg";
const M = { left: 46, right: 14, top: 22, bottom: 40 };

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

/** Axes, grid, one bar per bucket with its value, and the t labels, into `svg` (W × H). */
function drawBars(svg, W, H, buckets) {
  const ok = buckets.filter((b) => typeof b.loss === "number" && Number.isFinite(b.loss));
  const top = Math.max(...ok.map((b) => b.loss));
  const yMax = Math.max(0.5, Math.ceil(top * 2) / 2);
  const plotH = H - M.top - M.bottom;
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
    if (typeof b.loss === "number" && Number.isFinite(b.loss)) {
      const rect = el("rect", { class: "bar", x: x.toFixed(1), width: (slot * 0.7).toFixed(1), y: py(b.loss).toFixed(1), height: Math.max(0.5, H - M.bottom - py(b.loss)).toFixed(1) }, svg);
      el("title", {}, rect).textContent = `t ${b.t_lo.toFixed(1)}–${b.t_hi.toFixed(1)}: loss ${b.loss.toFixed(3)}`;
      if (slot >= 34) el("text", { class: "bar-value", x: (x + slot * 0.35).toFixed(1), y: (py(b.loss) - 4).toFixed(1), "text-anchor": "middle" }, svg).textContent = b.loss.toFixed(2);
    }
    if (i % 2 === 0 || buckets.length <= 5) {
      el("text", { x: (M.left + i * slot).toFixed(1), y: H - M.bottom + 16, "text-anchor": "middle" }, svg).textContent = b.t_lo.toFixed(1);
    }
  });
  el("text", { x: W - M.right, y: H - M.bottom + 16, "text-anchor": "middle" }, svg).textContent = "1.0";
  el("text", { x: (M.left + W - M.right) / 2, y: H - 4, "text-anchor": "middle" }, svg).textContent = "noise level t";
}

export function createBarChart(svg, { empty = "Measured after training." } = {}) {
  let W = 640, H = 220; // the viewBox follows the rendered size, so text stays at its CSS size
  let last = null; // what is shown: [buckets] or the empty text

  function measure() {
    const w = Math.round(svg.getBoundingClientRect().width);
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
    const ok = buckets.filter((b) => typeof b.loss === "number" && Number.isFinite(b.loss));
    if (!ok.length) return clear();
    last = buckets;
    measure();
    svg.replaceChildren();
    drawBars(svg, W, H, buckets);
    svg.setAttribute("aria-label", "Loss by noise level: " +
      ok.map((b) => `t ${b.t_lo.toFixed(1)} to ${b.t_hi.toFixed(1)}: ${b.loss.toFixed(2)}`).join("; "));
  }

  clear();
  if (typeof ResizeObserver !== "undefined") {
    let lastWidth = 0;
    new ResizeObserver((entries) => {
      const w = Math.round(entries[0].contentRect.width);
      if (!w || w === lastWidth) return;
      lastWidth = w;
      requestAnimationFrame(() => (typeof last === "string" ? clear(last) : show(last)));
    }).observe(svg);
  }
  return { show, clear };
}
