// Train left to right (section X): press it; done when the closing message and the table
// are shown. Also: whether its progress (the epoch count) was shown.
async ([timeoutMs]) => {
  const L = window.__lab;
  const msg = document.querySelector("#ar-message");
  const said = L.changed(msg);
  let progress = 0;
  const watch = () => { if (msg.textContent.startsWith("Training left to right: epoch")) progress += 1; };
  const r = await L.time(() => document.querySelector("#ar-train").click(), document.querySelector("#ar-widget"),
    () => said() && (msg.dataset.kind === "ok" || msg.dataset.kind === "error"), { timeoutMs, onMutation: watch });
  return { ...r, ok: msg.dataset.kind === "ok", message: msg.textContent, progress_values: progress };
}
