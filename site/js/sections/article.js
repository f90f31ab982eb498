// The article as a whole: its formulas (elements with data-tex) rendered with
// the self-hosted KaTeX, one per frame so that no long task holds the page (the
// plain-text version stays if KaTeX is missing), and its reading time.
//
//   createArticle();

import { $ } from "../page.js";

function renderMath() {
  const katex = window.katex;
  if (!katex) return;
  const todo = [...document.querySelectorAll("[data-tex]")];
  const next = () => {
    const el = todo.shift();
    if (!el) return;
    try {
      katex.render(el.dataset.tex, el, { displayMode: el.classList.contains("display"), throwOnError: false, output: "htmlAndMathml" });
    } catch { /* keep the plain-text version */ }
    requestAnimationFrame(next); // one formula per frame: no long task
  };
  next();
}

function loadMath() {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "vendor/katex/katex.min.css";
  const css = new Promise((resolve) => {
    link.addEventListener("load", () => resolve(true));
    link.addEventListener("error", () => resolve(false));
  });
  document.head.append(link);
  const script = $("katex-script");
  const js = window.katex ? Promise.resolve(true) : new Promise((resolve) => {
    script.addEventListener("load", () => resolve(true));
    script.addEventListener("error", () => resolve(false));
    document.addEventListener("DOMContentLoaded", () => resolve(Boolean(window.katex)));
  });
  Promise.all([css, js]).then(([a, b]) => { if (a && b) renderMath(); });
}

export function createArticle() {
  loadMath();
  const words = ($("article").textContent.match(/\S+/g) || []).length;
  $("reading-time").textContent = `About ${Math.max(5, Math.round(words / 230))} minutes`;
  return {};
}
