// A training run is over when Stop is disabled again; returns that moment (ms since navigation).
async (sel) => {
  const stop = document.querySelector(sel);
  while (!stop.disabled) await new Promise((r) => setTimeout(r, 2));
  return performance.now();
}
