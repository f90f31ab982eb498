// The setup a reader may share, kept in the URL hash through one typed table.
//
//   PROPS: name, type, default, and min/max (+ step) or the allowed values.
//   const state = new State(PROPS);
//   state.readHash()            -> [{name, raw, reason}]  values it ignored (never throws)
//   state.get("lr")             -> 0.01
//   state.set("lr", 0.003)      -> true when valid; the hash is rewritten (replaceState)
//   state.addEventListener("change", e => e.detail)  // {name, value, source: "set"|"hash"}
//
// The hash holds only values that differ from the default: "#recipe=seed&lr=0.003".

export const PROPS = [
  { name: "recipe", type: "enum", values: ["seed", "default"], default: "default" },
  { name: "lr", type: "log", min: 1e-4, max: 1, step: 0.1, default: 0.01 },
  { name: "epochs", type: "int", values: [250, 500, 1000], default: 500 },
  { name: "seed", type: "int", min: 0, max: 999999, default: 0 },
  { name: "weighting", type: "enum", values: ["uniform", "elbo"], default: "uniform" },
  { name: "steps", type: "int", min: 4, max: 20, default: 10 },
  { name: "temperature", type: "number", min: 0.1, max: 2, step: 0.1, default: 0.8 },
  { name: "order", type: "enum", values: ["random", "confident"], default: "random" },
  { name: "tr_steps", type: "int", min: 4, max: 20, default: 10 },
  { name: "tr_temperature", type: "number", min: 0, max: 2, step: 0.1, default: 0 },
];

const roundTo = (x, step) => Math.round(x / step) * step;

/** The value `raw` (a string or a number) means for `prop`, or throws with the reason. */
export function coerce(prop, raw) {
  const s = String(raw).trim();
  if (prop.type === "enum") {
    if (prop.values.includes(s)) return s;
    throw new Error(`expected ${prop.values.join(" or ")}`);
  }
  const range = prop.values ? `one of ${prop.values.join(", ")}` : `from ${prop.min} to ${prop.max}`;
  if (prop.type === "int") {
    if (!/^\d+$/.test(s)) throw new Error(`expected a whole number ${range}`);
    const v = Number(s);
    const ok = prop.values ? prop.values.includes(v) : v >= prop.min && v <= prop.max;
    if (!ok) throw new Error(`expected a whole number ${range}`);
    return v;
  }
  const v = s === "" ? NaN : Number(s);
  if (!Number.isFinite(v) || v < prop.min * (1 - 1e-9) || v > prop.max * (1 + 1e-9)) {
    throw new Error(`expected a number ${range}`);
  }
  if (prop.type === "log") {
    const e = roundTo(Math.log10(v), prop.step);
    return Math.min(prop.max, Math.max(prop.min, Number((10 ** e).toPrecision(12))));
  }
  return Math.min(prop.max, Math.max(prop.min, Number(roundTo(v, prop.step || 1e-9).toFixed(6))));
}

const show = (prop, v) => (typeof v === "number" && prop.type !== "int" ? String(Number(v.toPrecision(3))) : String(v));

export class State extends EventTarget {
  constructor(props = PROPS) {
    super();
    this.props = new Map(props.map((p) => [p.name, p]));
    this.values = new Map(props.map((p) => [p.name, p.default]));
  }

  get(name) {
    return this.values.get(name);
  }

  /** Set one value (from a control); false, and no change, when it is not valid. */
  set(name, raw) {
    const prop = this.props.get(name);
    if (!prop) return false;
    let v;
    try { v = coerce(prop, raw); } catch { return false; }
    if (v !== this.values.get(name)) {
      this.values.set(name, v);
      this.writeHash();
      this.dispatchEvent(new CustomEvent("change", { detail: { name, value: v, source: "set" } }));
    }
    return true;
  }

  /** Take the values in location.hash; names missing there return to their defaults. */
  readHash(hash = location.hash) {
    const ignored = [];
    let params;
    try {
      params = new URLSearchParams(String(hash).replace(/^#/, ""));
    } catch {
      return [{ name: "", raw: String(hash), reason: "could not be read" }];
    }
    const next = new Map([...this.props.values()].map((p) => [p.name, p.default]));
    for (const [key, raw] of params) {
      const prop = this.props.get(key);
      if (!prop) {
        ignored.push({ name: key, raw, reason: "is not a setting of this page" });
        continue;
      }
      try { next.set(key, coerce(prop, raw)); } catch (e) { ignored.push({ name: key, raw, reason: e.message }); }
    }
    for (const [name, v] of next) {
      if (v !== this.values.get(name)) {
        this.values.set(name, v);
        this.dispatchEvent(new CustomEvent("change", { detail: { name, value: v, source: "hash" } }));
      }
    }
    return ignored;
  }

  toHash() {
    const parts = [];
    for (const prop of this.props.values()) {
      const v = this.values.get(prop.name);
      if (v !== prop.default) parts.push(`${encodeURIComponent(prop.name)}=${encodeURIComponent(show(prop, v))}`);
    }
    return parts.length ? "#" + parts.join("&") : "";
  }

  writeHash() {
    try {
      const url = location.pathname + location.search + this.toHash();
      history.replaceState(history.state, "", url);
    } catch { /* some sandboxes refuse; the page works without a shareable hash */ }
  }
}
