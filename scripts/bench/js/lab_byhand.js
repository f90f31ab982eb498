// Any order, by hand: "reset" presses Reset the row (every position's top 5 and the
// exact posterior, all masked); "reveal" clicks the masked cell at `pos` (it is
// revealed; every other masked position's beliefs are shown again).
async ([what, pos]) => {
  const L = window.__lab;
  const grid = document.querySelector("#byhand-beliefs");
  const msg = document.querySelector("#byhand-message");
  const widget = document.querySelector("#byhand-widget");
  const before = grid.firstElementChild;
  if (what === "reset") {
    return L.time(() => document.querySelector("#byhand-reset").click(), widget,
      () => grid.firstElementChild !== before && grid.querySelector(".bg-cols") && msg.textContent.startsWith("Every position is masked"));
  }
  const cell = document.querySelector(`#byhand-row button.cell[data-pos="${pos}"]`);
  if (!cell || cell.textContent !== "?") throw new Error(`position ${pos} is not masked: press Reset first`);
  const r = await L.time(() => cell.click(), widget,
    () => grid.firstElementChild !== before && msg.textContent.startsWith(`Revealed position ${pos + 1} `));
  return { ...r, message: msg.textContent };
}
