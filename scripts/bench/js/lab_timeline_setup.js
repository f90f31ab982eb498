// Generate (section V), then focus a timeline cell [step k, position p] that has top
// candidates at steps k and k + 1, and wait for its Top candidates panel with the exact
// posterior: the start of the "step forward / back" case. Returns {step, pos, ms}.
async () => {
  const L = window.__lab;
  const tl = document.querySelector("#timeline");
  const before = tl.firstElementChild;
  await L.time(() => document.querySelector("#generate").click(), tl,
    () => tl.firstElementChild !== before && tl.querySelector(".tl-row"));
  const rows = [...tl.querySelectorAll(".tl-row")].map((r) => [...r.querySelectorAll(".cell")]);
  for (let k = 1; k + 1 < rows.length; k++) {
    for (let p = 0; p < rows[k].length; p++) {
      if (!rows[k][p].classList.contains("has-top") || !rows[k + 1][p].classList.contains("has-top")) continue;
      const sr = () => L.text("#timeline-beliefs-text");
      const r = await L.time(() => rows[k][p].focus(), document.querySelector("#timeline-beliefs"),
        () => sr().startsWith(`Position ${p + 1}, step ${k}:`) && sr().includes("Exact posterior"));
      return { step: k, pos: p, ms: r.ms };
    }
  }
  throw new Error("no position has top candidates at two steps in a row");
}
