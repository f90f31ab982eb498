// Fill in a name: type `pattern` into "Pattern" (an input event), press Fill in; done
// when the answers, the oracle's answers and the message are shown.
async ([pattern]) => {
  const L = window.__lab;
  const box = document.querySelector("#pattern");
  box.value = pattern;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  const msg = document.querySelector("#fill-message");
  const said = L.changed(msg);
  const r = await L.time(() => document.querySelector("#fill").click(), document.querySelector("#infill-widget"),
    () => said() && msg.textContent.length > 0);
  const answers = [...document.querySelectorAll("#fill-model li")].map((li) => li.textContent);
  const oracle = [...document.querySelectorAll("#fill-oracle li")].map((li) => li.textContent);
  return { ...r, ok: msg.dataset.kind !== "error", message: msg.textContent, answers, oracle };
}
