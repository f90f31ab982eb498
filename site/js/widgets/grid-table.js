// A plain accessible table of numbers: a caption, column heads, one row head
// per row. Text goes in as textContent only.
//
//   fillTable(tableEl, {caption, columns: ["1", "2"], rows: [{head, cells: ["0.4", "–"], highlight}]});
//   fillTable(tableEl, null);   // empty it

function cellOf(tag, str, scope) {
  const c = document.createElement(tag);
  if (scope) c.scope = scope;
  c.textContent = str;
  return c;
}

export function fillTable(table, spec) {
  if (!spec) {
    table.replaceChildren();
    table.hidden = true;
    return;
  }
  table.hidden = false;
  const caption = document.createElement("caption");
  caption.textContent = spec.caption;
  const head = document.createElement("tr");
  head.append(cellOf("th", "", "col"));
  for (const c of spec.columns) head.append(cellOf("th", c, "col"));
  const thead = document.createElement("thead");
  thead.append(head);
  const body = document.createElement("tbody");
  for (const r of spec.rows) {
    const tr = document.createElement("tr");
    if (r.highlight) tr.className = "highlight";
    tr.append(cellOf("th", r.head, "row"));
    for (const v of r.cells) tr.append(cellOf("td", v));
    body.append(tr);
  }
  table.replaceChildren(caption, thead, body);
}
