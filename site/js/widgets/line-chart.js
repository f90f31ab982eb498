// A small multi-line chart in one SVG: a few series of (x, y) points on labelled
// axes, optionally a log x axis and a dashed reference line. It draws and never
// decides: the caller gives the series, their classes (colour, dash) and labels.
//
//   const chart = createLineChart(svg, {xLabel: "steps", yLabel: "% of samples", logX: true});
//   chart.show([{label: "random, model", points: [[1, 0.2], [2, 0.4]], cls: "model"}],
//              {xTicks: [1, 2, 4], yMax: 1, yTicks: [0, 0.5, 1], yFormat: v => `${v * 100}%`,
//               ref: {y: 0.9, label: "threshold 0.9"}});
//   chart.clear("Press Plot");
//
// Non-finite points are skipped (a series breaks there). A point [x, y, lo, hi] of a
// highlighted series also gets an interval bar from lo to hi (class "err"); a series'
// `dx` shifts its bars sideways (pixels), so two series' bars at one x stay apart.
// The SVG gets role "img" and an aria-label; the caller gives the numbers as a table as well.

const NS = "http://www.w3.org/2000/svg";
// The y axis's title sits above the plot, level, from the left edge: turned on its side
// beside the axis, a title with its unit ran past a short plot (a phone's) into the text above.
const M = { left: 58, right: 16, top: 30, bottom: 44 };

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.append(e);
  return e;
}

function text(parent, x, y, str, attrs = {}) {
  const t = el("text", { x, y, ...attrs }, parent);
  t.textContent = str;
  return t;
}

const finite = (v) => typeof v === "number" && Number.isFinite(v);

function scales(box, xs, o) {
  const { W, H, logX } = box;
  const fx = logX ? Math.log : (v) => v;
  const x0 = fx(Math.min(...xs)), x1 = fx(Math.max(...xs));
  const yMin = o.yMin ?? 0, yMax = o.yMax ?? 1;
  const px = (v) => M.left + (x1 === x0 ? 0.5 : (fx(v) - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (v) => H - M.bottom - ((Math.max(yMin, Math.min(yMax, v)) - yMin) / (yMax - yMin || 1)) * (H - M.top - M.bottom);
  return { px, py };
}

function axes(g, box, o, { px, py }) {
  const { W, H } = box;
  const fmtY = o.yFormat || ((v) => String(v));
  const grid = el("g", { class: "grid" }, g);
  const labels = el("g", { class: "labels" }, g);
  for (const v of o.yTicks || []) {
    el("line", { x1: M.left, x2: W - M.right, y1: py(v), y2: py(v) }, grid);
    text(labels, M.left - 6, py(v) + 4, fmtY(v), { "text-anchor": "end" });
  }
  for (const v of o.xTicks || []) text(labels, px(v), H - M.bottom + 16, String(v), { "text-anchor": "middle" });
  el("line", { class: "axis", x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom }, g);
  el("line", { class: "axis", x1: M.left, y1: M.top, x2: M.left, y2: H - M.bottom }, g);
  text(g, (M.left + W - M.right) / 2, H - 6, o.xLabel ?? box.xLabel, { "text-anchor": "middle", class: "axis-title" });
  text(g, 4, 13, o.yLabel ?? box.yLabel, { "text-anchor": "start", class: "axis-title y-title" });
}

function pathOf(points, { px, py }) {
  let d = "", pen = false;
  for (const [x, y] of points) {
    if (!finite(x) || !finite(y)) { pen = false; continue; }
    d += (pen ? "L" : "M") + px(x).toFixed(1) + " " + py(y).toFixed(1);
    pen = true;
  }
  return d;
}

function drawSeries(g, series, sc) {
  // highlighted series last, so they are drawn on top
  const order = [...series].sort((a, b) => Number(Boolean(a.highlight)) - Number(Boolean(b.highlight)));
  for (const s of order) {
    const cls = `series ${s.cls || ""}${s.highlight ? " highlight" : ""}`;
    const path = el("path", { class: cls, d: pathOf(s.points, sc) }, g);
    const title = el("title", {}, path);
    title.textContent = s.label;
    if (!s.highlight) continue;
    for (const [x, y, lo, hi] of s.points) {
      if (!finite(x) || !finite(y)) continue;
      if (finite(lo) && finite(hi)) {
        const bx = sc.px(x) + (s.dx || 0), y0 = sc.py(lo), y1 = sc.py(hi);
        el("path", { class: `err ${s.cls || ""}`, d: `M${bx - 3} ${y0}H${bx + 3}M${bx} ${y0}V${y1}M${bx - 3} ${y1}H${bx + 3}` }, g);
      }
      el("circle", { class: `dot ${s.cls || ""}`, cx: sc.px(x), cy: sc.py(y), r: 3 }, g);
    }
  }
}

export function createLineChart(svg, { width = 640, height = 300, xLabel = "", yLabel = "", logX = false, name = "Chart" } = {}) {
  // the viewBox follows the rendered width (`width` until the first layout reports it),
  // so the text keeps its CSS size on a narrow screen; the height shrinks with it, to
  // 60 % at most. The width comes from a ResizeObserver: drawing forces no layout.
  const box = { W: width, H: height, logX, xLabel, yLabel };
  let last = null; // what is shown: [series, o], or the empty text
  let rendered = 0; // the SVG's width on the page, in CSS pixels (0: not laid out yet)
  svg.setAttribute("role", "img");

  function measure() {
    const w = rendered;
    if (w > 0) {
      box.W = Math.max(260, w);
      box.H = Math.round(Math.max(height * 0.6, Math.min(height, (box.W * height) / width)));
    }
    svg.setAttribute("viewBox", `0 0 ${box.W} ${box.H}`);
    return box;
  }

  /** Draw `series` ({label, points: [[x, y]], cls, highlight}) with options `o`. */
  function show(series, o = {}) {
    last = [series, o];
    const { W } = measure();
    const xs = o.xTicks && o.xTicks.length ? o.xTicks : series.flatMap((s) => s.points.map((p) => p[0])).filter(finite);
    const g = el("g");
    const sc = scales(box, xs.length ? xs : [0, 1], o);
    axes(g, box, o, sc);
    if (o.ref && finite(o.ref.y)) {
      el("line", { class: "ref", x1: M.left, x2: W - M.right, y1: sc.py(o.ref.y), y2: sc.py(o.ref.y) }, g);
      text(g, M.left + 4, sc.py(o.ref.y) - 5, o.ref.label || "", { "text-anchor": "start", class: "ref-label" });
    }
    drawSeries(g, series, sc);
    svg.replaceChildren(g);
    svg.setAttribute("aria-label", o.summary || `${name}: ${series.length} lines`);
  }

  function clear(message) {
    last = message;
    const { W, H } = measure();
    const g = el("g");
    text(g, W / 2, H / 2, message, { "text-anchor": "middle", class: "empty" });
    svg.replaceChildren(g);
    svg.setAttribute("aria-label", `${name}: ${message}`);
  }

  measure();
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver((entries) => {
      const w = Math.round(entries[0].contentRect.width);
      if (!w || w === rendered) return;
      rendered = w;
      if (last !== null) requestAnimationFrame(() => (typeof last === "string" ? clear(last) : show(...last)));
    }).observe(svg);
  }
  return { show, clear };
}
