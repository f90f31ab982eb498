// One corrupted name through the denoiser (section III), from a `trace` reply:
// the corrupted row and its ids, each position's embedding vector, the hidden
// layer in brief, and each position's likeliest symbols. Text only.
//
//   const tr = createTrace(root);
//   tr.show({noisy, target, t, ids, embeddings: [[E floats] × L],
//            hidden: {units, active, top: [[unit, value]]}, positions: [[[sym, p] × 3] × L]});
//   tr.clear("Appears after training.");

import { cellRow } from "./cells.js";

const signed = (x) => (x < 0 ? "−" : "+") + Math.abs(x).toFixed(2);
const shown = (ch) => (ch === "?" ? "? (mask)" : ch === "_" ? "_ (pad)" : ch);

function node(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A table with a caption, a header row and one row per position. */
function table(caption, head, rows) {
  const t = node("table", "trace-table");
  t.append(node("caption", "", caption));
  const tr = node("tr");
  for (const h of head) {
    const th = node("th", "", h);
    th.scope = "col";
    tr.append(th);
  }
  const thead = node("thead");
  thead.append(tr);
  const body = node("tbody");
  for (const cells of rows) {
    const row = node("tr");
    cells.forEach((c, i) => row.append(node(i === 0 ? "th" : "td", i > 1 ? "mono" : "", c)));
    body.append(row);
  }
  t.append(thead, body);
  const wrap = node("div", "trace-scroll");
  wrap.append(t);
  return wrap;
}

function hiddenLine(h) {
  const top = h.top.map(([u, v]) => `unit ${u} (${v.toFixed(2)})`).join(", ");
  return `Hidden layer: ${h.active} of ${h.units} ReLU units are active (above 0) for this row` +
    (top ? `; the strongest: ${top}.` : ".");
}

export function createTrace(root) {
  function show(r) {
    const chars = [...r.noisy];
    root.style.setProperty("--cols", String(chars.length)); // the CSS sizes cells to fit
    const input = node("div", "trace-input");
    const label = node("span", "trace-label", "Input ");
    const x = node("var", "", "x");
    x.append(node("sub", "", "t"));
    label.append(x, `, “${r.target.replace(/_+$/, "")}” corrupted at `, node("var", "", "t"), ` = ${r.t.toFixed(2)}:`);
    input.append(label, cellRow(r.noisy, { label: `Corrupted: ${r.noisy}` }));
    const embed = table("Each position: its symbol, its id (row of the embedding table), and that row's numbers",
      ["position", "symbol", "id", `embedding (${r.embeddings[0]?.length ?? 0} numbers)`],
      chars.map((ch, i) => [String(i + 1), shown(ch), String(r.ids[i]), r.embeddings[i].map(signed).join(" ")]));
    const probs = table("The softmax at each position: its three likeliest symbols",
      ["position", "input", "likeliest symbols, with probabilities"],
      chars.map((ch, i) => [String(i + 1), shown(ch),
        r.positions[i].map(([sym, p]) => `${sym} ${p.toFixed(2)}`).join(" · ")]));
    root.replaceChildren(input, embed, node("p", "trace-hidden", hiddenLine(r.hidden)), probs);
  }

  function clear(text) {
    root.replaceChildren(node("p", "placeholder", text));
  }

  return { show, clear };
}
