// The article as a whole: its reading time. (Its formulas are typeset with KaTeX when
// the site is built: scripts/sitebuild/math.py; the page runs no KaTeX.)
//
//   createArticle();

import { $ } from "../page.js";

const words = (el) => (el.textContent.match(/\S+/g) || []).length;

export function createArticle() {
  // a formula's HTML and MathML hold many more "words" than a reader reads
  const maths = [...$("article").querySelectorAll("[data-tex]")].reduce((n, el) => n + words(el), 0);
  const count = words($("article")) - maths;
  $("reading-time").textContent = `About ${Math.max(5, Math.round(count / 230))} minutes`;
  return {};
}
