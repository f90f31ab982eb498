// Typeset formulas with the pinned KaTeX, under Node.js, at build time (scripts/sitebuild/math.py).
//
//   node render_math.mjs < [{"tex": "x_0", "display": true}, ...]  > ["<span class=\"katex-display\">…", ...]
//
// Reads a JSON list of formulas on stdin and writes the HTML of each (KaTeX's HTML for the eye
// and MathML for screen readers, the same output the page used to make at run time) as a JSON
// list on stdout. A formula KaTeX cannot parse exits with status 1 and names the formula.
import katex from "katex";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const { tex, display } of JSON.parse(input)) {
  try {
    out.push(katex.renderToString(tex, { displayMode: Boolean(display), throwOnError: true, output: "htmlAndMathml" }));
  } catch (e) {
    console.error(`KaTeX cannot typeset ${JSON.stringify(tex)}: ${e.message}`);
    process.exit(1);
  }
}
process.stdout.write(JSON.stringify(out));
