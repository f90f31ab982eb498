// A classic (non-module) script, so it runs where module scripts cannot: a page
// opened from a file (file://), where browsers refuse modules and module workers.
// It replaces the loading indicator by how to serve the page. When main.js runs
// (served over http, or a browser that allows modules from files), it owns #status.
"use strict";
(function () {
  if (location.protocol !== "file:") return;
  function explain() {
    if (window.tinyDiffusion) return; // main.js is running and has said it already
    var status = document.getElementById("status");
    var text = document.getElementById("status-text");
    var help = document.getElementById("status-help");
    var progress = document.getElementById("status-progress");
    if (!status || !text || !help) return;
    status.setAttribute("data-state", "failed");
    text.textContent = "This page was opened from a file, and browsers do not run its scripts from files.";
    help.textContent = "";
    var parts = ["Serve it instead: run ", ["make serve"], " in the project folder, or ",
      ["python3 -m http.server"], " inside its ", ["dist/"], " folder, then open the address it prints."];
    for (var i = 0; i < parts.length; i++) {
      if (typeof parts[i] === "string") help.appendChild(document.createTextNode(parts[i]));
      else {
        var code = document.createElement("code");
        code.textContent = parts[i][0];
        help.appendChild(code);
      }
    }
    help.hidden = false;
    if (progress) progress.hidden = true;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { setTimeout(explain, 0); });
  else setTimeout(explain, 0);
})();
