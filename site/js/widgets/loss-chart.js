// A live loss chart in one SVG: per-epoch losses (faint), a smoothed line (EMA),
// and a dashed floor ("best possible"). Redraws at most once per animation
// frame, by rewriting two path `d` attributes; non-finite values are skipped.
//
//   const chart = createLossChart(svg, {empty: "Press Train"});
//   chart.reset(500);            // clear; the x axis spans 500 epochs
//   chart.add([3.09, 2.74]);     // new epoch losses (any number per call)
//   chart.extend(1000);          // widen the x axis ("+500 more")
//   chart.setFloor(0.394);       // or null
//   chart.setLosses(history);    // replace everything (a loaded model)

const NS = "http://www.w3.org/2000/svg";
const M = { left: 60, right: 14, top: 14, bottom: 38 };
export const Y_TITLE = "loss, nats per position";
// The smoothing window follows the run's length: ~epochs/40, between 4 and 25 epochs.
const emaBeta = (epochs) => 1 - 1 / Math.max(4, Math.min(25, epochs / 40));
const MAX_POINTS = 700;

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

function niceStep(span, target = 5) {
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}

export function createLossChart(svg, { empty = "No training yet.", floorLabel = "best possible", name = "Loss" } = {}) {
  let losses = [];
  let ema = [];
  let emaState = 0;
  let beta = emaBeta(500);
  let xMax = 1;
  let floor = null;
  let pending = false;
  let axisKey = "";
  let W = 640, H = 280; // the viewBox follows the rendered size, so text stays at its CSS size

  svg.replaceChildren();
  const grid = el("g", { class: "grid" }, svg);
  const labels = el("g", { class: "labels" }, svg);
  const xAxis = el("line", { class: "axis" }, svg);
  const yAxis = el("line", { class: "axis" }, svg);
  const floorLine = el("line", { class: "floor", visibility: "hidden" }, svg);
  const floorText = el("text", { class: "floor-label", "text-anchor": "end", visibility: "hidden" }, svg);
  const floorKey = el("line", { class: "floor", visibility: "hidden" }, svg);
  const rawPath = el("path", { class: "raw", d: "" }, svg);
  const emaPath = el("path", { class: "ema", d: "" }, svg);
  const lastDot = el("circle", { class: "last", r: 3.5, visibility: "hidden" }, svg);
  const emptyText = el("text", { class: "empty", "text-anchor": "middle" }, svg);
  emptyText.textContent = empty;
  const xLabel = el("text", { "text-anchor": "middle" }, svg);
  xLabel.textContent = "epoch";
  const yLabel = el("text", { class: "y-title", "text-anchor": "middle" }, svg);
  yLabel.textContent = Y_TITLE;

  function layout() {
    const w = Math.round(svg.getBoundingClientRect().width);
    if (w > 0) {
      W = Math.max(280, w);
      H = Math.round(Math.max(190, Math.min(300, W * 0.42)));
    }
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const attrs = (e, a) => { for (const [k, v] of Object.entries(a)) e.setAttribute(k, v); };
    attrs(xAxis, { x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom });
    attrs(yAxis, { x1: M.left, y1: M.top, x2: M.left, y2: H - M.bottom });
    attrs(emptyText, { x: (M.left + W - M.right) / 2, y: H / 2 });
    attrs(xLabel, { x: (M.left + W - M.right) / 2, y: H - 4 });
    const yMid = (M.top + H - M.bottom) / 2;
    attrs(yLabel, { x: 12, y: yMid, transform: `rotate(-90 12 ${yMid})`, "dominant-baseline": "middle" });
    yLabel.textContent = H - M.top - M.bottom >= 160 ? Y_TITLE : "nats per position"; // fits a short chart
    axisKey = "";
  }
  layout();
  if (typeof ResizeObserver !== "undefined") {
    let lastWidth = 0;
    new ResizeObserver((entries) => {
      const w = Math.round(entries[0].contentRect.width);
      if (w && w !== lastWidth) {
        lastWidth = w;
        layout();
        schedule();
      }
    }).observe(svg);
  }

  const px = (i) => M.left + (i / xMax) * (W - M.left - M.right);
  let yMax = 1;
  const py = (v) => H - M.bottom - (Math.min(v, yMax) / yMax) * (H - M.top - M.bottom);

  function drawAxes() {
    const key = `${xMax}|${yMax}|${W}|${H}`;
    if (key === axisKey) return;
    axisKey = key;
    grid.replaceChildren();
    labels.replaceChildren();
    const ys = niceStep(yMax, H < 240 ? 3 : 4);
    for (let v = 0; v <= yMax + 1e-9; v += ys) {
      const y = py(v);
      el("line", { x1: M.left, x2: W - M.right, y1: y, y2: y }, grid);
      const t = el("text", { x: M.left - 6, y: y + 4, "text-anchor": "end" }, labels);
      t.textContent = Number(v.toFixed(2)).toString();
    }
    const xs = Math.max(1, niceStep(xMax, W < 500 ? 3 : 5));
    for (let v = 0; v <= xMax + 1e-9; v += xs) {
      const t = el("text", { x: px(v), y: H - M.bottom + 16, "text-anchor": "middle" }, labels);
      t.textContent = String(Math.round(v));
    }
  }

  function pathOf(values) {
    const n = values.length;
    if (n === 0) return "";
    const stride = Math.max(1, Math.ceil(n / MAX_POINTS));
    let d = "";
    for (let i = 0; i < n; i += stride) {
      d += (d ? "L" : "M") + px(i + 1).toFixed(1) + " " + py(values[i]).toFixed(1);
    }
    if ((n - 1) % stride) d += "L" + px(n).toFixed(1) + " " + py(values[n - 1]).toFixed(1);
    return d;
  }

  function draw() {
    pending = false;
    let top = floor ?? 0;
    for (let i = 0; i < losses.length; i++) if (losses[i] > top) top = losses[i];
    const want = Math.max(0.5, Math.min(10, top * 1.05));
    yMax = niceStep(want, 4) * Math.ceil(want / niceStep(want, 4));
    if (losses.length > xMax) xMax = losses.length;
    drawAxes();
    rawPath.setAttribute("d", pathOf(losses));
    emaPath.setAttribute("d", pathOf(ema));
    emptyText.setAttribute("visibility", losses.length ? "hidden" : "visible");
    if (losses.length) {
      lastDot.setAttribute("cx", px(losses.length).toFixed(1));
      lastDot.setAttribute("cy", py(losses[losses.length - 1]).toFixed(1));
    }
    lastDot.setAttribute("visibility", losses.length ? "visible" : "hidden");
    if (floor !== null) {
      const y = py(floor).toFixed(1);
      for (const [k, v] of Object.entries({ x1: M.left, x2: W - M.right, y1: y, y2: y })) floorLine.setAttribute(k, v);
      // a legend in the top right corner, where the falling curve rarely is
      floorText.setAttribute("x", W - M.right - 32);
      floorText.setAttribute("y", M.top + 10);
      floorText.textContent = `${floorLabel} ${floor.toFixed(3)}`;
      for (const [k, v] of Object.entries({ x1: W - M.right - 26, x2: W - M.right - 2, y1: M.top + 6, y2: M.top + 6 })) floorKey.setAttribute(k, v);
    }
    floorLine.setAttribute("visibility", floor === null ? "hidden" : "visible");
    floorText.setAttribute("visibility", floor === null ? "hidden" : "visible");
    floorKey.setAttribute("visibility", floor === null ? "hidden" : "visible");
    const last = ema[ema.length - 1];
    svg.setAttribute("aria-label", losses.length
      ? `${name} chart: ${losses.length} epochs, from ${losses[0].toFixed(2)} down to ${last.toFixed(3)} (smoothed)` +
        (floor !== null ? `; best possible ${floor.toFixed(3)}` : "")
      : `${name} chart: ${empty}`);
  }

  function schedule() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(draw);
    }
  }

  function add(values) {
    for (const v of values) {
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      losses.push(v);
      emaState = beta * emaState + (1 - beta) * v;
      ema.push(emaState / (1 - beta ** losses.length));
    }
    schedule();
  }

  return {
    reset(epochs = 1) {
      losses = [];
      ema = [];
      emaState = 0;
      xMax = Math.max(1, epochs);
      beta = emaBeta(xMax);
      schedule();
    },
    extend(epochs) {
      xMax = Math.max(xMax, epochs);
      schedule();
    },
    add,
    setLosses(values, epochs) {
      losses = [];
      ema = [];
      emaState = 0;
      xMax = Math.max(1, epochs || values.length);
      beta = emaBeta(xMax);
      add(values);
    },
    setFloor(v) {
      floor = typeof v === "number" && Number.isFinite(v) ? v : null;
      schedule();
    },
    smoothed: () => ema[ema.length - 1],
    get length() { return losses.length; },
  };
}
