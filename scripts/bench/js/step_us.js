// Microseconds per step of the seed recipe (SGD, batch 1) in the page's worker.
async ([task]) => {
  const e = window.tinyDiffusion.engine;
  await e.call("train_start", { task, recipe: "seed", epochs: 100000, seed: 0 });
  await e.call("train_chunk", { task, max_epochs: 3, max_ms: 1000 }); // warm up
  const r = await e.call("train_chunk", { task, max_epochs: 20, max_ms: 1000 });
  await e.call("reset", { task });
  return r.seconds / r.steps * 1e6;
}
