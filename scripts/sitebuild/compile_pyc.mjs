// Compile Python sources to bytecode with Pyodide's own Python (3.12), under Node.js.
//
//   node compile_pyc.mjs <pyodide dir> <source dir> <output dir> <file.py> ...
//
// Each <source dir>/<file.py> becomes <output dir>/<dir>/__pycache__/<name>.cpython-312.pyc,
// "unchecked-hash" (PEP 552): no timestamp inside, and the importer uses it without
// reading the source again. The recorded file name is the relative path, so the
// bytes do not depend on where the build ran.
import { loadPyodide } from "pyodide";
import path from "node:path";

const [indexDir, srcDir, outDir, ...files] = process.argv.slice(2);
const py = await loadPyodide({ indexURL: path.resolve(indexDir) + "/", stdout: () => {}, stderr: (s) => console.error(s) });
py.FS.mkdirTree("/src");
py.FS.mkdirTree("/out");
py.FS.mount(py.FS.filesystems.NODEFS, { root: path.resolve(srcDir) }, "/src");
py.FS.mount(py.FS.filesystems.NODEFS, { root: path.resolve(outDir) }, "/out");
py.globals.set("FILES", py.toPy(files));
py.runPython(`
import importlib.util, os, py_compile
for rel in FILES:
    cfile = "/out/" + importlib.util.cache_from_source(rel)
    os.makedirs(os.path.dirname(cfile), exist_ok=True)
    py_compile.compile("/src/" + rel, cfile=cfile, dfile=rel, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
`);
