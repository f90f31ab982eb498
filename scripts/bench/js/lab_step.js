// Beliefs, one step forward (ArrowDown) or back (ArrowUp) in the Generate timeline: from
// the key to the Top candidates panel showing the model's top 5 and the exact posterior's
// for the same position at the new step.
async ([key, step, pos]) => {
  const L = window.__lab;
  const cell = document.activeElement;
  if (!cell || !cell.classList.contains("cell")) throw new Error("no timeline cell has the focus");
  const sr = () => L.text("#timeline-beliefs-text");
  const want = `Position ${pos + 1}, step ${step}:`;
  return L.time(() => cell.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true })),
    document.querySelector("#timeline-beliefs"), () => sr().startsWith(want) && sr().includes("Exact posterior"));
}
