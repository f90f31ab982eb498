// Fill in: type `pattern` into "Pattern" (an input event) and press Fill in; or, with
// `word`, the translator's answer pattern ("water" → "p????") and Fill in the answer.
// Done when the answers, the oracle's answers and the message are shown (or, for a bad
// pattern, its message).
async ([pattern, word]) => {
  const L = window.__lab;
  const type = (sel, v) => {
    const box = document.querySelector(sel);
    box.value = v;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };
  if (word) {
    type("#answer-word", word);
    type("#answer-pattern", pattern);
  } else type("#pattern", pattern);
  const msg = document.querySelector("#fill-message");
  const said = L.changed(msg);
  const r = await L.time(() => document.querySelector(word ? "#fill-answer" : "#fill").click(),
    document.querySelector("#infill-widget"), () => said() && msg.textContent.length > 0);
  const answers = [...document.querySelectorAll("#fill-model li")].map((li) => li.textContent);
  const oracle = [...document.querySelectorAll("#fill-oracle li")].map((li) => li.textContent);
  return { ...r, ok: msg.dataset.kind !== "error", message: msg.textContent, answers, oracle };
}
