// One whole run of a preset through the engine (the page's worker, its chunking, no UI):
// seconds from train_start to the last epoch, and the evaluated loss over the floor.
async ([recipe, overrides]) => {
  const e = window.tinyDiffusion.engine;
  const t0 = performance.now();
  const start = await e.call("train_start", { task: "names", recipe, seed: 0, ...overrides });
  const epochs = start.epochs;
  let done = 0;
  while (done < epochs) {
    const r = await e.call("train_chunk", { task: "names", max_epochs: epochs - done, max_ms: 40 });
    done += r.losses.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const ev = await e.call("evaluate", { task: "names" });
  await e.call("reset", { task: "names" });
  return { seconds, epochs, x_floor: ev.eval.mean / ev.floor.mean };
}
