// Number formatting for readouts. Never prints NaN or Infinity: a value that is
// not a finite number is shown as an en dash.
//
//   fixed(0.39361, 3) -> "0.394"      fixed(NaN) -> "–"
//   bytes(3145728)    -> "3.0 MB"     count(27466) -> "27,466"
//   lr(0.0031622)     -> "0.0032"
//   sentence("line 2: …") -> "Line 2: …"   (a message begun with a capital)

export const DASH = "–";

export const finite = (x) => typeof x === "number" && Number.isFinite(x);

export function fixed(x, digits = 3) {
  return finite(x) ? x.toFixed(digits) : DASH;
}

/**
 * A standard error beside a value shown to 3 decimals: 3 decimals too, or, when that
 * would round it to 0.000, one significant digit ("0.0003"), so "± 0.000" never claims
 * an exact figure. Exactly 0 (a closed form) stays "0".
 */
export function err(x) {
  if (!finite(x)) return DASH;
  if (x === 0) return "0";
  if (x >= 0.0005) return x.toFixed(3);
  const decimals = -Math.floor(Math.log10(x));
  return decimals <= 20 ? x.toFixed(decimals) : x.toExponential(0);
}

/** "1 step", "4 steps": `n` and its noun, singular only for exactly 1. */
export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function count(x) {
  return finite(x) ? Math.round(x).toLocaleString("en-US") : DASH;
}

export function bytes(n) {
  if (!finite(n) || n <= 0) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A learning rate with two significant digits, without trailing zeros. */
export function lr(x) {
  if (!finite(x)) return DASH;
  return String(Number(x.toPrecision(2)));
}

export function percent(x) {
  return finite(x) ? `${Math.round(x * 100)}%` : DASH;
}

/** A probability as a percentage that never claims more than it is: "100%" only for 1
 *  and "0%" only for 0, ">99.9%" and "<0.1%" just inside them, one decimal below 10 %
 *  and from 99 % up ("0.3%", "99.7%"), whole percents between ("41%"). */
export function share(p, { fine = false } = {}) { // `fine`: one decimal from 10% to 99% too
  if (!finite(p)) return DASH;
  if (p >= 1) return "100%";
  if (p <= 0) return "0%";
  if (p >= 0.9995) return ">99.9%";
  if (p < 0.0005) return "<0.1%";
  return `${(p * 100).toFixed(fine || p < 0.1 || p >= 0.99 ? 1 : 0)}%`;
}

/** `share` for shares shown together: all with one decimal when any needs one, so that
 *  they add up as the numbers do (97.5% and 2.5%, not 98% and 2.5%). */
export function shares(ps) {
  const fine = ps.some((p) => finite(p) && p > 0 && p < 1 && (p < 0.1 || p >= 0.99));
  return ps.map((p) => share(p, { fine }));
}

/** The letters a-z among ``chars``, as a reader scans them: runs of three or more
 *  as ranges ("a, b, d, e, h–p, r–v, y, z"); "" when there is none. */
export function letterRanges(chars) {
  const has = new Set(chars);
  const code = (i) => String.fromCharCode(97 + i);
  const parts = [];
  for (let i = 0; i < 26; i += 1) {
    if (!has.has(code(i))) continue;
    let j = i;
    while (j + 1 < 26 && has.has(code(j + 1))) j += 1;
    if (j - i >= 2) parts.push(`${code(i)}–${code(j)}`);
    else for (let k = i; k <= j; k += 1) parts.push(code(k));
    i = j;
  }
  return parts.join(", ");
}

/** A probability for a tooltip: "0.47", "1.00", "<0.01". */
export function prob(p) {
  if (!finite(p)) return "";
  return p < 0.005 ? "<0.01" : p.toFixed(2);
}

/** A message as a sentence: its first letter a capital ("line 2: …" -> "Line 2: …"). */
export const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);
