// Milliseconds from Stop to the run's end, pressed at a random moment inside a chunk.
async () => {
  const e = window.tinyDiffusion.engine;
  let seen = 0;
  const run = e.train({ task: "names", fresh: true,
    start: { task: "names", recipe: "seed", epochs: 100000, seed: 0 }, epochs: 100000 },
  (p) => { seen = p.epoch; });
  while (seen < 5) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, Math.random() * 40));
  const t0 = performance.now();
  await e.stop();
  const ms = performance.now() - t0;
  await run;
  await e.call("reset", { task: "names" });
  return ms;
}
