// The setup a reader may share, kept in the URL hash through one typed table,
// together with the place on the page the reader is at (a section anchor). Imports
// rules.js (the ids of the lab's unmasking rules).
//
//   PROPS: name, type, default, and min/max (+ step) or the allowed values.
//   const state = new State(PROPS);
//   state.readHash()            -> [{name, raw, reason}]  values it ignored (never throws)
//   state.get("lr")             -> 0.01
//   state.set("lr", 0.003)      -> true when valid; the hash is rewritten (replaceState)
//   state.anchor                -> "train-section" (or "")
//   state.addEventListener("change", e => e.detail)  // {name, value, source: "set"|"hash"}
//
// One address holds both: "#train-section&recipe=seed&lr=0.003". A part without
// "=" is the anchor (an element id); the settings are the values that differ
// from the default. Reading the page's own address rewrites it in that form and,
// when settings sit beside the anchor (so the browser cannot find it by itself),
// scrolls the anchor into view.
//
// Navigation never resets the reader's settings: a hash sets only the settings
// it names, and one that names none ("#model": a contents link, the skip link)
// only moves the anchor. A page opened from a shared link starts from the
// defaults, so there the hash is the whole setup.

import { RULES } from "./rules.js";

// Learning rates on a 1-3-10 scale (as TensorFlow Playground offers them): both
// recipes' rates (0.01 for the original page's, 0.03 for the default) sit on it.
export const LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];

// The defaults are diffusion_core.train.RECIPES["names"]["default"]: cosine from 0.03, 160 epochs.
export const PROPS = [
  { name: "recipe", type: "enum", values: ["seed", "default"], default: "default" },
  { name: "lr", type: "log", values: LEARNING_RATES, min: 1e-4, max: 1, default: 0.03 },
  { name: "epochs", type: "int", values: [100, 160, 200, 500, 1000], default: 160 },
  { name: "seed", type: "int", min: 0, max: 999999, default: 0 },
  { name: "weighting", type: "enum", values: ["uniform", "elbo"], default: "uniform" },
  { name: "steps", type: "int", min: 4, max: 20, default: 10 },
  { name: "temperature", type: "number", min: 0.1, max: 2, step: 0.1, default: 0.8 },
  { name: "order", type: "enum", values: ["random", "confident"], default: "random" },
  { name: "tr_steps", type: "int", min: 4, max: 20, default: 10 },
  { name: "tr_temperature", type: "number", min: 0, max: 2, step: 0.1, default: 0 },
  // the lab's choices (section IX): the rule outlined and drawn in colour, the step
  // budget and the denoiser of Compare samplers
  { name: "sampler", type: "enum", values: RULES.map((r) => r.id), default: "random" },
  { name: "budget", type: "int", values: [1, 2, 4, 7, 10, 20, 40], default: 10 },
  { name: "denoiser", type: "enum", values: ["model", "oracle"], default: "model" },
];

const roundTo = (x, step) => Math.round(x / step) * step;

/** The value `raw` (a string or a number) means for `prop`, or throws with the reason. */
export function coerce(prop, raw) {
  const s = String(raw).trim();
  if (prop.type === "enum") {
    if (prop.values.includes(s)) return s;
    throw new Error(`expected ${prop.values.join(" or ")}`);
  }
  if (prop.type === "int") {
    const expected = prop.values ? `expected one of ${prop.values.join(", ")}` : `expected a whole number from ${prop.min} to ${prop.max}`;
    if (!/^\d+$/.test(s)) throw new Error(expected);
    const v = Number(s);
    const ok = prop.values ? prop.values.includes(v) : v >= prop.min && v <= prop.max;
    if (!ok) throw new Error(expected);
    return v;
  }
  const v = s === "" ? NaN : Number(s);
  if (!Number.isFinite(v) || v < prop.min * (1 - 1e-9) || v > prop.max * (1 + 1e-9)) {
    throw new Error(`expected a number from ${prop.min} to ${prop.max}`);
  }
  if (prop.type === "log" && prop.values) { // the listed value nearest in log scale
    const d = (x) => Math.abs(Math.log10(x) - Math.log10(v));
    return prop.values.reduce((best, x) => (d(x) < d(best) ? x : best));
  }
  if (prop.type === "log") {
    const e = roundTo(Math.log10(v), prop.step);
    return Math.min(prop.max, Math.max(prop.min, Number((10 ** e).toPrecision(12))));
  }
  return Math.min(prop.max, Math.max(prop.min, Number(roundTo(v, prop.step || 1e-9).toFixed(6))));
}

/**
 * Split a hash into its anchor (the first part without "="), its settings
 * ([name, raw] pairs) and what was ignored ({name, raw, reason}).
 *
 *   parseHash("#model&lr=0.1") -> {anchor: "model", settings: [["lr", "0.1"]], ignored: []}
 *
 * A part that cannot be percent-decoded ("lr=%E0%A4%A") is ignored on its own; the
 * other parts still count.
 */
export function parseHash(hash) {
  const out = { anchor: "", settings: [], ignored: [] };
  const decode = (s) => decodeURIComponent(s.replace(/\+/g, " "));
  for (const part of String(hash).replace(/^#/, "").split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    let name, raw;
    try {
      name = decode(eq < 0 ? part : part.slice(0, eq));
      raw = eq < 0 ? null : decode(part.slice(eq + 1));
    } catch {
      out.ignored.push({ name: eq < 0 ? "" : part.slice(0, eq), raw: eq < 0 ? part : part.slice(eq + 1),
        reason: "could not be read: a % must start a valid escape such as %20" });
      continue;
    }
    if (raw === null) {
      if (!out.anchor) out.anchor = name;
      else out.ignored.push({ name, raw: "", reason: "is a second place on the page; only the first is used" });
      continue;
    }
    out.settings.push([name, raw]);
  }
  return out;
}

/**
 * Scroll the element whose id is `anchor` into view, as the browser does for a
 * plain "#anchor" (it cannot when settings follow the anchor). Returns whether
 * there was such an element.
 */
export function revealAnchor(anchor, doc = globalThis.document) {
  const target = anchor && doc ? doc.getElementById(anchor) : null;
  if (!target) return false;
  target.scrollIntoView({ block: "start" });
  return true;
}

export const HISTORY_MARK = "tinyDiffusion";

const show = (prop, v) => (typeof v === "number" && prop.type !== "int" ? String(Number(v.toPrecision(3))) : String(v));

export class State extends EventTarget {
  constructor(props = PROPS) {
    super();
    this.props = new Map(props.map((p) => [p.name, p]));
    this.values = new Map(props.map((p) => [p.name, p.default]));
    this.anchor = "";
    this.locks = new Map(); // name -> why a link may not change it now ("a names run is training")
  }

  /** While `why` holds, a link cannot change the settings `names` (their controls are
   *  disabled too: a run reads them at its start); `lock(names, null)` frees them. */
  lock(names, why) {
    for (const name of names) {
      if (why) this.locks.set(name, why);
      else this.locks.delete(name);
    }
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

  /**
   * Take the anchor and the settings in `hash` (default: the page's address).
   * Settings the hash does not name keep the values in use. Reading the page's own
   * address also normalises it (writeHash) and scrolls to the anchor when the
   * browser could not (see revealAnchor).
   */
  readHash(hash) {
    const own = hash === undefined;
    const text = own ? location.hash : String(hash);
    let parsed;
    try {
      parsed = parseHash(text);
    } catch {
      return [{ name: "", raw: text, reason: "could not be read" }];
    }
    const { anchor, settings, ignored } = parsed;
    this.anchor = anchor;
    if (settings.length) this.apply(settings, ignored);
    if (own) {
      if (this.toHash() !== text) this.writeHash();
      if (anchor && settings.length + ignored.length > 0) revealAnchor(anchor);
    }
    return ignored;
  }

  /** Set the named values; a name that is not a setting, or a bad value, goes to `ignored`. */
  apply(settings, ignored) {
    for (const [key, raw] of settings) {
      const prop = this.props.get(key);
      if (!prop) {
        ignored.push({ name: key, raw, reason: "is not a setting of this page" });
        continue;
      }
      let v;
      try { v = coerce(prop, raw); } catch (e) {
        ignored.push({ name: key, raw, reason: e.message });
        continue;
      }
      if (v !== this.values.get(key) && this.locks.has(key)) {
        ignored.push({ name: key, raw, reason: `is locked while ${this.locks.get(key)}; press Stop, then open the link again` });
        continue;
      }
      if (v !== this.values.get(key)) {
        this.values.set(key, v);
        this.dispatchEvent(new CustomEvent("change", { detail: { name: key, value: v, source: "hash" } }));
      }
    }
  }

  /** "#anchor&name=value…": the anchor first, then the settings that differ from the default. */
  toHash() {
    const parts = this.anchor ? [encodeURIComponent(this.anchor)] : [];
    for (const prop of this.props.values()) {
      const v = this.values.get(prop.name);
      if (v !== prop.default) parts.push(`${encodeURIComponent(prop.name)}=${encodeURIComponent(show(prop, v))}`);
    }
    return parts.length ? "#" + parts.join("&") : "";
  }

  /** Rewrite the address to what is in use, in place (no new history entry). The entry
   *  is marked as the page's own (`HISTORY_MARK`): Back and Forward to it change the
   *  place on the page, not the settings (share.js). */
  writeHash() {
    try {
      const url = location.pathname + location.search + this.toHash();
      history.replaceState({ ...history.state, [HISTORY_MARK]: true }, "", url);
    } catch { /* some sandboxes refuse; the page works without a shareable hash */ }
  }
}
