// A list of entries (names, or question → answer pairs) as unbreakable items,
// text only; a long list shows its start.
//
//   showList(el, ["aarav", "aditi"])   -> <span class="entry">aarav</span> <span …>aditi</span>

import { count } from "../format.js";

const LIST_MAX = 120;

export function showList(el, items) {
  const frag = document.createDocumentFragment();
  for (const item of items.slice(0, LIST_MAX)) {
    const span = document.createElement("span");
    span.className = "entry";
    span.textContent = item;
    frag.append(span, " ");
  }
  if (items.length > LIST_MAX) frag.append(`… and ${count(items.length - LIST_MAX)} more.`);
  el.replaceChildren(frag);
}
