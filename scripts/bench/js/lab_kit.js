// Installed once on the lab page: window.__lab.time(act, root, done) measures one
// interaction from the user's action to the frame that paints its result, and splits
// it into the worker's part (engine.call / engine.job, wrapped here) and the rest
// (rendering and messages on the main thread).
() => {
  const e = window.tinyDiffusion.engine;
  const calls = [];
  for (const name of ["call", "job"]) {
    const orig = e[name].bind(e);
    e[name] = async (...a) => {
      const t0 = performance.now();
      try {
        return await orig(...a);
      } finally {
        calls.push({ method: name === "call" ? a[0] : a[0].start, t0, t1: performance.now() });
      }
    };
  }
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  /**
   * act(): dispatch the user's event; done(): true once the result is in the DOM
   * (checked on every mutation under `root` and on every animation frame).
   * Resolves {ms, worker_ms, rest_ms, calls, ...extra()} or rejects after timeoutMs.
   */
  async function time(act, root, done, { timeoutMs = 30000, onMutation } = {}) {
    const from = calls.length;
    let finished = false;
    let mo = null;
    const seen = new Promise((resolve, reject) => {
      const end = (fn, v) => {
        finished = true;
        mo.disconnect();
        fn(v);
      };
      const check = () => {
        if (finished) return;
        if (onMutation) onMutation();
        if (done()) end(resolve, performance.now());
      };
      mo = new MutationObserver(check);
      mo.observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
      const poll = () => { if (!finished) { check(); requestAnimationFrame(poll); } };
      requestAnimationFrame(poll);
      setTimeout(() => { if (!finished) end(reject, new Error(`timed out after ${timeoutMs} ms`)); }, timeoutMs);
    });
    const t0 = performance.now();
    act();
    const tDom = await seen;
    const t1 = await frame(); // the frame that paints it
    const mine = calls.slice(from).filter((c) => c.t0 >= t0 - 1 && c.t1 <= tDom + 1);
    const worker = mine.reduce((s, c) => s + (c.t1 - c.t0), 0);
    return { ms: t1 - t0, dom_ms: tDom - t0, worker_ms: worker, rest_ms: t1 - t0 - worker,
      calls: mine.map((c) => `${c.method} ${(c.t1 - c.t0).toFixed(1)}`) };
  }
  /** A flag that turns true once `el`'s text or children change (set before `time`'s own check). */
  const changed = (el) => {
    let n = 0;
    const mo = new MutationObserver(() => {
      n += 1;
      mo.disconnect();
    });
    mo.observe(el, { childList: true, subtree: true, characterData: true });
    return () => n > 0;
  };
  const text = (sel) => (document.querySelector(sel)?.textContent || "");
  const sleepFrames = async (k) => { for (let i = 0; i < k; i++) await frame(); };
  window.__lab = { calls, time, changed, text, frame, sleepFrames };
  return true;
}
