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

export function createLossChart(svg, options = {}) {
  return new LossChart(svg, options);
}

const setAttrs = (e, a) => { for (const [k, v] of Object.entries(a)) e.setAttribute(k, v); };

class LossChart {
  constructor(svg, { empty = "No training yet.", floorLabel = "best possible", name = "Loss" } = {}) {
    Object.assign(this, { svg, empty, floorLabel, name });
    this.losses = [];
    this.ema = [];
    this.emaState = 0;
    this.beta = emaBeta(500);
    this.xMax = 1;
    this.yMax = 1;
    this.floor = null;
    this.pending = false;
    this.axisKey = "";
    this.W = 640; // the viewBox follows the rendered size, so text stays at its CSS size
    this.H = 280;
    this.rendered = 0; // the SVG's width on the page, from the ResizeObserver (0: not laid out yet)
    this._build();
    this._layout();
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver((entries) => {
        const w = Math.round(entries[0].contentRect.width);
        if (w && w !== this.rendered) {
          this.rendered = w; // laid out again in the next frame: a new viewBox here would
          this.resized = true; // resize the SVG inside this answer (a ResizeObserver loop)
          this._schedule();
        }
      }).observe(svg);
    }
  }

  _build() {
    const svg = this.svg;
    svg.replaceChildren();
    this.grid = el("g", { class: "grid" }, svg);
    this.labels = el("g", { class: "labels" }, svg);
    this.xAxis = el("line", { class: "axis" }, svg);
    this.yAxis = el("line", { class: "axis" }, svg);
    this.floorLine = el("line", { class: "floor", visibility: "hidden" }, svg);
    this.floorText = el("text", { class: "floor-label", "text-anchor": "end", visibility: "hidden" }, svg);
    this.floorKey = el("line", { class: "floor", visibility: "hidden" }, svg);
    this.rawPath = el("path", { class: "raw", d: "" }, svg);
    this.emaPath = el("path", { class: "ema", d: "" }, svg);
    this.lastDot = el("circle", { class: "last", r: 3.5, visibility: "hidden" }, svg);
    // losses above the axis (a diverging run) are drawn at its top: say so there
    this.clipText = el("text", { class: "clip-label", "text-anchor": "start", visibility: "hidden" }, svg);
    this.emptyText = el("text", { class: "empty", "text-anchor": "middle" }, svg);
    this.emptyText.textContent = this.empty;
    this.xLabel = el("text", { "text-anchor": "middle" }, svg);
    this.xLabel.textContent = "epoch";
    this.yLabel = el("text", { class: "y-title", "text-anchor": "middle" }, svg);
    this.yLabel.textContent = Y_TITLE;
  }

  _layout() {
    const w = this.rendered; // drawing never asks for layout: a forced one costs a whole-page layout at load
    if (w > 0) {
      this.W = Math.max(280, w);
      this.H = Math.round(Math.max(190, Math.min(300, this.W * 0.42)));
    }
    const { W, H } = this;
    this.svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    setAttrs(this.xAxis, { x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom });
    setAttrs(this.yAxis, { x1: M.left, y1: M.top, x2: M.left, y2: H - M.bottom });
    setAttrs(this.emptyText, { x: (M.left + W - M.right) / 2, y: H / 2 });
    setAttrs(this.xLabel, { x: (M.left + W - M.right) / 2, y: H - 4 });
    const yMid = (M.top + H - M.bottom) / 2;
    setAttrs(this.yLabel, { x: 12, y: yMid, transform: `rotate(-90 12 ${yMid})`, "dominant-baseline": "middle" });
    this.yLabel.textContent = H - M.top - M.bottom >= 160 ? Y_TITLE : "nats per position"; // fits a short chart
    this.axisKey = "";
  }

  _px(i) {
    return M.left + (i / this.xMax) * (this.W - M.left - M.right);
  }

  _py(v) {
    return this.H - M.bottom - (Math.min(v, this.yMax) / this.yMax) * (this.H - M.top - M.bottom);
  }

  _drawAxes() {
    const { W, H, xMax, yMax } = this;
    const key = `${xMax}|${yMax}|${W}|${H}`;
    if (key === this.axisKey) return;
    this.axisKey = key;
    this.grid.replaceChildren();
    this.labels.replaceChildren();
    const ys = niceStep(yMax, H < 240 ? 3 : 4);
    for (let v = 0; v <= yMax + 1e-9; v += ys) {
      const y = this._py(v);
      el("line", { x1: M.left, x2: W - M.right, y1: y, y2: y }, this.grid);
      const t = el("text", { x: M.left - 6, y: y + 4, "text-anchor": "end" }, this.labels);
      t.textContent = Number(v.toFixed(2)).toString();
    }
    const xs = Math.max(1, niceStep(xMax, W < 500 ? 3 : 5));
    for (let v = 0; v <= xMax + 1e-9; v += xs) {
      const t = el("text", { x: this._px(v), y: H - M.bottom + 16, "text-anchor": "middle" }, this.labels);
      t.textContent = String(Math.round(v));
    }
  }

  _pathOf(values) {
    const n = values.length;
    if (n === 0) return "";
    const stride = Math.max(1, Math.ceil(n / MAX_POINTS));
    let d = "";
    for (let i = 0; i < n; i += stride) {
      d += (d ? "L" : "M") + this._px(i + 1).toFixed(1) + " " + this._py(values[i]).toFixed(1);
    }
    if ((n - 1) % stride) d += "L" + this._px(n).toFixed(1) + " " + this._py(values[n - 1]).toFixed(1);
    return d;
  }

  _drawFloor() {
    const { floor, W } = this;
    if (floor !== null) {
      const y = this._py(floor).toFixed(1);
      setAttrs(this.floorLine, { x1: M.left, x2: W - M.right, y1: y, y2: y });
      // a legend in the top right corner, where the falling curve rarely is
      this.floorText.setAttribute("x", W - M.right - 32);
      this.floorText.setAttribute("y", M.top + 10);
      this.floorText.textContent = `${this.floorLabel} ${floor.toFixed(3)}`;
      setAttrs(this.floorKey, { x1: W - M.right - 26, x2: W - M.right - 2, y1: M.top + 6, y2: M.top + 6 });
    }
    const visibility = floor === null ? "hidden" : "visible";
    for (const e of [this.floorLine, this.floorText, this.floorKey]) e.setAttribute("visibility", visibility);
  }

  _draw() {
    this.pending = false;
    if (this.resized) {
      this.resized = false;
      this._layout();
    }
    const { losses, ema, floor } = this;
    let top = floor ?? 0;
    for (let i = 0; i < losses.length; i++) if (losses[i] > top) top = losses[i];
    const want = Math.max(0.5, Math.min(10, top * 1.05));
    this.yMax = niceStep(want, 4) * Math.ceil(want / niceStep(want, 4));
    if (losses.length > this.xMax) this.xMax = losses.length;
    this._drawAxes();
    this.rawPath.setAttribute("d", this._pathOf(losses));
    this.emaPath.setAttribute("d", this._pathOf(ema));
    this.emptyText.setAttribute("visibility", losses.length ? "hidden" : "visible");
    if (losses.length) {
      this.lastDot.setAttribute("cx", this._px(losses.length).toFixed(1));
      this.lastDot.setAttribute("cy", this._py(losses[losses.length - 1]).toFixed(1));
    }
    this.lastDot.setAttribute("visibility", losses.length ? "visible" : "hidden");
    this._drawFloor();
    const clipped = top > this.yMax;
    setAttrs(this.clipText, { x: M.left + 6, y: M.top + 10, visibility: clipped ? "visible" : "hidden" });
    this.clipText.textContent = clipped ? `losses above ${this.yMax} drawn at the top (highest ${top.toFixed(1)})` : "";
    const last = ema[ema.length - 1];
    this.svg.setAttribute("aria-label", losses.length
      ? `${this.name} chart: ${losses.length} epochs, from ${losses[0].toFixed(2)} down to ${last.toFixed(3)} (smoothed)` +
        (floor !== null ? `; best possible ${floor.toFixed(3)}` : "")
      : `${this.name} chart: ${this.empty}`);
  }

  _schedule() {
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => this._draw());
    }
  }

  _clear(epochs) {
    this.losses = [];
    this.ema = [];
    this.emaState = 0;
    this.xMax = Math.max(1, epochs);
    this.beta = emaBeta(this.xMax);
  }

  add(values) {
    for (const v of values) {
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      this.losses.push(v);
      this.emaState = this.beta * this.emaState + (1 - this.beta) * v;
      this.ema.push(this.emaState / (1 - this.beta ** this.losses.length));
    }
    this._schedule();
  }

  reset(epochs = 1) {
    this._clear(epochs);
    this._schedule();
  }

  extend(epochs) {
    this.xMax = Math.max(this.xMax, epochs);
    this._schedule();
  }

  setLosses(values, epochs) {
    this._clear(epochs || values.length);
    this.add(values);
  }

  setFloor(v) {
    this.floor = typeof v === "number" && Number.isFinite(v) ? v : null;
    this._schedule();
  }

  smoothed() {
    return this.ema[this.ema.length - 1];
  }

  get length() {
    return this.losses.length;
  }
}
