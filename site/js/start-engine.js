// Python starts loading here, as soon as the page is parsed. index.html runs this module
// before main.js: its graph is this file and engine.js, so the worker does not wait for
// main.js's graph of about 45 modules, fetched as they are imported (up to 6 deep; the
// page preloads no module, so that its first paint waits for none of them). main.js
// imports the same instance.
//
//   import { engine, FILE_MODE } from "./start-engine.js";   // engine: null from a file

import { Engine } from "./engine.js";

/** Opened from a file (file://): browsers run no module worker there; file-note.js explains. */
export const FILE_MODE = location.protocol === "file:";

/** The page's one Engine (its worker loads Pyodide and the wheels), or null in FILE_MODE. */
export const engine = FILE_MODE ? null : new Engine();
