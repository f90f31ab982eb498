// Samplers side by side at `steps` steps: choose the budget, press Compare samplers;
// done when every rule's column (name, NFE, timeline) and the closing message are shown.
async ([steps]) => {
  const L = window.__lab;
  const sel = document.querySelector("#compare-steps");
  sel.value = String(steps);
  sel.dispatchEvent(new Event("change", { bubbles: true }));
  const msg = document.querySelector("#compare-message");
  const want = `${steps} steps, seed`;
  const said = L.changed(msg);
  const r = await L.time(() => document.querySelector("#compare-samplers").click(), document.querySelector("#compare-widget"),
    () => said() && (msg.textContent.startsWith(want) || msg.dataset.kind === "error"));
  const nfe = Object.fromEntries([...document.querySelectorAll("#compare-grid .cmp-col")].map((c) =>
    [c.dataset.strategy, Number(c.querySelector(".cmp-nfe")?.dataset.nfe)]));
  return { ...r, ok: msg.dataset.kind === "ok", message: msg.textContent, nfe };
}
