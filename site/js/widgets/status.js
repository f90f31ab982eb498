// The loading indicator (#status, data-state = loading | ready | failed), driven
// by the engine's "status" events: runtime -> numpy -> diffusion_core -> ready,
// with byte counts when a download has finished.
//
//   const s = createStatus({root, text, progress, help, retry});
//   s.update(event.detail);   s.fileMode();

import { bytes } from "../format.js";

const ORDER = ["runtime", "numpy", "diffusion_core", "ready"];
const GROUP = { runtime: "runtime", stdlib: "runtime", numpy: "numpy", diffusion_core: "diffusion_core", ready: "ready" };

export function createStatus({ root, text, progress, help, retry }) {
  const sizes = {};
  const done = new Set();

  function mark(group, detail) {
    const li = root.querySelector(`[data-stage="${group}"]`);
    if (!li) return;
    if (detail.done && detail.loaded) {
      sizes[group] = (sizes[group] || 0) + detail.loaded;
      li.querySelector(".bytes").textContent = bytes(sizes[group]);
    }
    if (detail.done || group === "ready") {
      done.add(group);
      li.classList.add("done");
    }
    progress.value = done.size;
  }

  function reset() {
    done.clear();
    for (const k of Object.keys(sizes)) delete sizes[k];
    for (const li of root.querySelectorAll("[data-stage]")) {
      li.classList.remove("done");
      const b = li.querySelector(".bytes");
      if (b) b.textContent = "";
    }
    progress.value = 0;
  }

  function update(d) {
    if (d.stage === "error") {
      root.dataset.state = "failed";
      text.textContent = d.wasReady ? `Python stopped: ${d.message}.` : `Python could not start: ${d.message}.`;
      help.hidden = false;
      help.textContent = "Your settings, text and data are kept. Restart Python to continue; a model saved in this browser comes back with it.";
      retry.hidden = false;
      return;
    }
    if (d.stage === "ready") {
      for (const g of ORDER) mark(g, { done: true });
      root.dataset.state = "ready";
      const v = d.versions || {};
      text.textContent = `Python is ready${d.seconds ? ` (${d.seconds.toFixed(1)} s)` : ""}: Pyodide ${v.pyodide || "?"}, numpy ${v.numpy || "?"}.`;
      help.hidden = true;
      retry.hidden = true;
      return;
    }
    if (root.dataset.state !== "loading") reset();
    root.dataset.state = "loading";
    retry.hidden = true;
    help.hidden = true;
    const group = GROUP[d.stage];
    if (group) mark(group, d);
    const got = Object.values(sizes).reduce((a, b) => a + b, 0);
    text.textContent = `Loading Python: ${d.message || d.stage}${got ? ` (${bytes(got)} so far)` : ""}. Sections I and II work already.`;
  }

  function fileMode() {
    root.dataset.state = "failed";
    text.textContent = "This page was opened from a file, and browsers do not run Python workers from files.";
    help.hidden = false;
    help.replaceChildren();
    const parts = [
      "Serve it instead: run ", ["make serve"], " in the project folder, or ", ["python3 -m http.server"],
      " inside its ", ["dist/"], " folder, then open the address it prints. Sections I and II work here as they are.",
    ];
    for (const p of parts) {
      if (Array.isArray(p)) {
        const c = document.createElement("code");
        c.textContent = p[0];
        help.append(c);
      } else help.append(p);
    }
    retry.hidden = true;
    progress.hidden = true;
  }

  return { update, fileMode, reset };
}
