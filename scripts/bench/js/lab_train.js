// Click Train (section IV) and wait for the run's end; then the milliseconds from that
// end to the bits-per-character readout after training (the "precise" ELBO request,
// which the page sends by itself: no control of its own).
async () => {
  const L = window.__lab;
  const stop = document.querySelector("#stop");
  const readout = document.querySelector("#elbo-readout");
  const t0 = performance.now();
  document.querySelector("#train").click();
  while (stop.disabled) {
    if (performance.now() - t0 > 10000) throw new Error("Train did not start");
    await L.frame();
  }
  while (!stop.disabled) await new Promise((r) => setTimeout(r, 2));
  const end = performance.now();
  while (!readout.textContent.startsWith("Negative ELBO after training")) {
    if (performance.now() - end > 60000) throw new Error(`no ELBO readout: ${readout.textContent}`);
    await L.frame();
  }
  const shown = await L.frame();
  const elbo = L.calls.filter((c) => c.method === "elbo" && c.t1 >= end - 1);
  return { train_s: (end - t0) / 1000, elbo_readout_ms: shown - end, readout: readout.textContent,
    elbo_call_ms: elbo.length ? elbo[elbo.length - 1].t1 - elbo[elbo.length - 1].t0 : null };
}
