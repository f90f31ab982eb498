// Python's status at the top of the page (widgets/status.js) and its Restart
// button; the versions in the footer once Python is ready; and the service
// worker, registered once Python has started or failed, so that the next visit
// works offline.
//
//   const python = createPython({engine, page});
//   python.update(detail)   // an engine "status" event's detail while loading

import { $ } from "../page.js";
import { createStatus } from "../widgets/status.js";

export function createPython({ engine, page }) {
  const status = createStatus({
    root: $("status"), text: $("status-text"), progress: $("status-progress"), help: $("status-help"), retry: $("retry"),
  });
  let swRegistered = false;
  const registerServiceWorker = () => {
    if (swRegistered || !engine || !("serviceWorker" in navigator)) return;
    swRegistered = true;
    try {
      navigator.serviceWorker.register("./sw.js").catch(() => {});
    } catch { /* not allowed here */ }
  };

  page.on("ready", (detail) => {
    status.update(detail);
    const v = detail.versions || {};
    $("versions").textContent = `This visit: Pyodide ${v.pyodide}, Python ${v.python}, numpy ${v.numpy}, diffusion_core ${v.diffusion_core}.`;
    registerServiceWorker();
  });
  page.on("failed", (detail) => {
    status.update(detail);
    registerServiceWorker();
  });
  page.on("file-mode", () => status.fileMode());
  if (engine) {
    status.update({ stage: "runtime", message: "starting the Python runtime" });
    $("retry").addEventListener("click", () => {
      $("retry").hidden = true;
      engine.restart().catch(() => {});
    });
  }
  return { update: (detail) => status.update(detail) };
}
