// Any order, by hand: Reset the row (every position's top 5 and the exact posterior,
// all masked), then click the masked cell at `pos` (reveal it; every other masked
// position's beliefs are shown again). Returns {reset, reveal}.
async ([pos]) => {
  const L = window.__lab;
  const grid = document.querySelector("#byhand-beliefs");
  const msg = document.querySelector("#byhand-message");
  const widget = document.querySelector("#byhand-widget");
  let before = grid.firstElementChild;
  const reset = await L.time(() => document.querySelector("#byhand-reset").click(), widget,
    () => grid.firstElementChild !== before && grid.querySelector(".bg-cols") && msg.textContent.startsWith("Every position is masked"));
  before = grid.firstElementChild;
  const cell = document.querySelector(`#byhand-row button.cell[data-pos="${pos}"]`);
  const reveal = await L.time(() => cell.click(), widget,
    () => grid.firstElementChild !== before && msg.textContent.startsWith(`Revealed position ${pos + 1} `));
  return { reset, reveal: { ...reveal, message: msg.textContent } };
}
