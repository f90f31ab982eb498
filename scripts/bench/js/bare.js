// A bare boot of the same runtime files as the page: Pyodide and numpy in a module worker.
const w = new Worker(new URL("bare_worker.js", import.meta.url), { type: "module" });
w.onmessage = (ev) => {
  window.__bareReady = performance.now(); // ms since navigation, like engine.readyAt
  window.__bareInfo = ev.data;
  document.getElementById("state").textContent = "ready";
};
