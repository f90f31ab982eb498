// loadPyodide from the site's own pyodide/ folder with numpy only, then import numpy.
import { loadPyodide } from "../pyodide/pyodide.mjs";

const t0 = performance.now();
const py = await loadPyodide({ indexURL: new URL("../pyodide/", import.meta.url).href,
  packages: ["numpy"], stdout: () => {}, stderr: () => {} });
py.runPython("import numpy");
self.postMessage({ seconds: (performance.now() - t0) / 1000, numpy: py.runPython("numpy.__version__") });
