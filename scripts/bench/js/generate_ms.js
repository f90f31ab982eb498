// Milliseconds from a click on Generate to the samples painted.
async () => {
  const box = document.querySelector("#samples");
  const t0 = performance.now();
  const changed = new Promise((r) => new MutationObserver((m, o) => { o.disconnect(); r(); })
    .observe(box, { childList: true, subtree: true, characterData: true }));
  document.querySelector("#generate").click();
  await changed;
  await new Promise((r) => requestAnimationFrame(() => r()));
  return performance.now() - t0;
}
