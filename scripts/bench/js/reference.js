// The hand-written JavaScript reference, 500 epochs of the seed recipe, in a module Web Worker
// of this page (as our Python runs): milliseconds of its training loop and wall time.
async ([url, epochs]) => {
  const t0 = performance.now();
  const w = new Worker(url, { type: "module" });
  const r = await new Promise((resolve, reject) => {
    w.onmessage = (ev) => resolve(ev.data);
    w.onerror = (ev) => reject(new Error(ev.message || "reference worker failed"));
    w.postMessage({ epochs });
  });
  w.terminate();
  return { ...r, wall_ms: performance.now() - t0 };
}
