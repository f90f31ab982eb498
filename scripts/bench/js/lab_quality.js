// Quality against steps: press Plot quality against steps; done when the closing message
// says every cell is drawn. Also: whether the progress bar was shown and moved, and the
// longest single redraw of the chart ("quality-draw" measures).
async ([timeoutMs]) => {
  const L = window.__lab;
  const msg = document.querySelector("#quality-message");
  const bar = document.querySelector("#quality-progress");
  const said = L.changed(msg);
  const seen = new Set();
  let first = null;
  let t0 = null;
  const watch = () => {
    if (!bar.hidden && bar.value > 0 && !seen.has(bar.value)) {
      seen.add(bar.value);
      if (first === null) first = performance.now() - t0;
    }
  };
  const from = performance.getEntriesByName("quality-draw").length;
  const r = await L.time(() => {
    t0 = performance.now();
    document.querySelector("#quality-run").click();
  }, document.querySelector("#quality-widget"),
  () => said() && (msg.dataset.kind === "ok" || msg.dataset.kind === "error"), { timeoutMs, onMutation: watch });
  const draws = performance.getEntriesByName("quality-draw").slice(from).map((e) => e.duration);
  return { ...r, ok: msg.dataset.kind === "ok", message: msg.textContent, progress_values: seen.size,
    first_progress_ms: first, draws: draws.length, longest_draw_ms: draws.length ? Math.max(...draws) : null };
}
