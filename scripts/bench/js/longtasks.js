// Init script: record every main-thread task over 50 ms (Long Tasks API) from the first byte.
window.__longtasks = [];
try {
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push(e.duration); })
    .observe({ type: "longtask", buffered: true });
} catch (e) { /* no Long Tasks API: the bench reports the observer as not verified */ }
