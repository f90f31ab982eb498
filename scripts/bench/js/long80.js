// A deliberate 80 ms main-thread task: the long-task observer must see it.
() => new Promise((r) => setTimeout(() => {
  const t = performance.now();
  while (performance.now() - t < 80) { /* busy */ }
  r();
}, 0))
