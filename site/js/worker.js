// The Python side of the page: a module Web Worker that runs Pyodide and diffusion_core.
//
// Protocol (page -> worker), every request has an id matched by its reply:
//   {id, type: "call",  method, args}   one Session method, e.g. "sample"
//   {id, type: "train", args}           a training run, in chunks, with progress events
//   {id, type: "stop"}                  stop the running training (replies when stopped)
//   {id, type: "job", start, chunk, cancel, args, chunk_args}
//                                       any chunked Session job (e.g. quality_start /
//                                       quality_chunk / quality_cancel): start(args), then
//                                       chunk(chunk_args) until its result says finished
//   {id, type: "stop_job"}              stop the running job (replies when stopped)
//   {id, type: "ping"}                  liveness check
//   {id, type: "memory"}                WebAssembly memory and worker JS heap, in bytes
// Worker -> page:
//   {type: "status", stage, message, loaded, total}   while loading
//   {type: "ready", seconds, versions}
//   {type: "fatal", message}                           loading failed
//   {id, type: "progress", epoch, losses, steps, seconds}
//   {id, type: "progress", ...the chunk's result}      for a job, after every chunk
//   {id, type: "reply", ok, result | error, kind}
//
// Requests travel to Python as one JSON string (Session.handle), so user text is
// always data, never Python source, and no Python object is handed to JavaScript.

import { loadPyodide } from "../pyodide/pyodide.mjs";

const INDEX_URL = new URL("../pyodide/", import.meta.url).href;
const STAGES = [
  ["runtime", /pyodide\.asm\.wasm$/],
  ["stdlib", /python_stdlib\.zip$/],
  ["numpy", /numpy-[^/]*\.whl$/],
  ["diffusion_core", /diffusion_core-[^/]*\.whl$/],
];
const CHUNK_MS = 40; // one synchronous slice of training; stop and progress wait at most this long

let pyodide = null;
let handle = null; // Session.handle, the one PyProxy kept for the worker's life
let training = null; // {id, task, stop, done}
const t0 = performance.now();

const post = (msg) => self.postMessage(msg);

function callPy(method, args) {
  return JSON.parse(handle(JSON.stringify({ method, args: args || {} })));
}

// A macrotask boundary that is not clamped like nested setTimeout: lets "stop" in.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()();
const yieldToEvents = () => new Promise((r) => { waiting.push(r); channel.port2.postMessage(0); });

// What each file weighs, from the build (dist/build-manifest.json): the fallback for
// engines that report 0 bytes for a worker's downloads (WebKit does, for encodedBodySize
// and transferSize alike). Fetched at once, alongside the runtime; null if unavailable.
const SITE_ROOT = new URL("../", import.meta.url).href;
const KNOWN_SIZES = fetch(new URL("build-manifest.json", SITE_ROOT))
  .then((r) => (r.ok ? r.json() : null))
  .then((m) => (m && m.files) || null, () => null);

async function downloadedBytes(entry) {
  const measured = entry.encodedBodySize || entry.transferSize || 0;
  if (measured) return measured;
  const files = await KNOWN_SIZES;
  const rel = entry.name.startsWith(SITE_ROOT) ? entry.name.slice(SITE_ROOT.length).split(/[?#]/)[0] : null;
  return (files && rel && files[rel] && files[rel].size) || 0;
}

// Every finished download under pyodide/ is a status (the page's stall clock restarts
// on each); the four big ones carry a stage and their size. Once all four are in, what
// is left is local work (compiling the runtime and numpy's modules, starting Python)
// that can take a minute on a slow machine and reports nothing: a status every
// BEAT_MS then says the worker is still at it (a stalled download still times out).
// Returns flush(last): it takes the entries not yet delivered (and stops watching if
// last) and resolves once every status has been posted, in order.
const BEAT_MS = 5000;
function watchDownloads() {
  let chain = Promise.resolve();
  if (typeof PerformanceObserver === "undefined") return () => chain;
  const seen = new Set();
  const stagesDone = new Set();
  let beat = null;
  const startBeat = () => {
    const since = performance.now();
    beat = setInterval(() => post({ type: "status", stage: "diffusion_core",
      message: `downloads done; compiling and starting Python (${Math.round((performance.now() - since) / 1000)} s)` }), BEAT_MS);
  };
  const take = (entries) => {
    for (const e of entries) {
      if (!e.name.startsWith(INDEX_URL) || seen.has(e.name)) continue;
      seen.add(e.name);
      const stage = STAGES.find(([, re]) => re.test(e.name));
      const file = e.name.slice(INDEX_URL.length).split(/[?#]/)[0];
      if (stage) stagesDone.add(stage[0]);
      if (stagesDone.size === STAGES.length && !beat) startBeat();
      chain = chain.then(async () => {
        if (!stage) return post({ type: "status", stage: "runtime", message: `${file} downloaded` });
        const bytes = await downloadedBytes(e);
        post({ type: "status", stage: stage[0], message: `${stage[0]} downloaded`, loaded: bytes, total: bytes, done: true });
      });
    }
  };
  const obs = new PerformanceObserver((list) => take(list.getEntries()));
  obs.observe({ type: "resource", buffered: true });
  return (last = false) => {
    take(obs.takeRecords());
    if (last) {
      obs.disconnect();
      clearInterval(beat);
      beat = -1;
    }
    return chain;
  };
}

async function boot() {
  post({ type: "status", stage: "runtime", message: "starting the Python runtime" });
  const flush = watchDownloads();
  try {
    const py = await loadPyodide({
      indexURL: INDEX_URL,
      packages: ["diffusion_core"],
      stdout: () => {},
      stderr: (s) => console.warn("[python]", s),
    });
    for (const name of ["numpy", "diffusion_core"]) {
      // loadPyodide only logs a failed package download; make it an error the page can show
      if (!py.loadedPackages[name]) throw new Error(`the package ${name} could not be downloaded or failed its integrity check`);
    }
    await flush();
    post({ type: "status", stage: "diffusion_core", message: "importing diffusion_core" });
    py.runPython("from diffusion_core.session import Session\n_handle = Session().handle");
    handle = py.globals.get("_handle"); // str -> str; the only PyProxy, kept for the worker's life
    pyodide = py;
    const versions = JSON.parse(py.runPython(
      "import json, numpy, sys, diffusion_core\n" +
      "json.dumps({'python': sys.version.split()[0], 'numpy': numpy.__version__, 'diffusion_core': diffusion_core.__version__})"));
    versions.pyodide = py.version;
    await flush(true); // no status may follow "ready"
    post({ type: "ready", seconds: (performance.now() - t0) / 1000, versions });
  } catch (e) {
    flush(true); // nor "fatal"
    throw e;
  }
}

async function train(id, args) {
  if (training) { // a second Train stops the first: never two loops
    training.stop = true;
    await training.done;
  }
  let finish;
  const run = { id, task: args.task, stop: false, done: new Promise((r) => (finish = r)) };
  training = run;
  try {
    if (args.fresh) {
      const start = callPy("train_start", args.start);
      if (!start.ok) return post({ id, type: "reply", ...start });
    }
    const target = args.epochs;
    let done = 0, epoch = 0, diverged = false;
    const began = performance.now();
    while (done < target && !run.stop) {
      const r = callPy("train_chunk", { task: args.task, max_epochs: target - done, max_ms: args.chunk_ms || CHUNK_MS, ...(args.lr ? { lr: args.lr } : {}) });
      if (!r.ok) return post({ id, type: "reply", ...r });
      const c = r.result;
      done += c.losses.length;
      epoch = c.epoch;
      diverged = c.diverged;
      post({ id, type: "progress", epoch, losses: c.losses, steps: c.steps, seconds: c.seconds, elapsed: (performance.now() - began) / 1000 });
      if (diverged) break;
      await yieldToEvents();
    }
    post({ id, type: "reply", ok: true, result: { epoch, done, stopped: run.stop, diverged, elapsed: (performance.now() - began) / 1000 } });
  } catch (e) {
    post({ id, type: "reply", ok: false, error: String(e && e.message || e), kind: "internal" });
  } finally {
    training = null;
    finish();
  }
}

async function stop(id) {
  const run = training;
  if (run) {
    run.stop = true;
    await run.done;
  }
  post({ id, type: "reply", ok: true, result: { stopped: Boolean(run) } });
}

// ------------------------------------------------------------ chunked jobs
let job = null; // {stop, done}: one job at a time; a new one stops the last

async function runJob(id, m) {
  if (job) {
    job.stop = true;
    await job.done;
  }
  let finish;
  const run = { stop: false, done: new Promise((r) => (finish = r)) };
  job = run;
  try {
    const start = callPy(m.start, m.args);
    if (!start.ok) return post({ id, type: "reply", ...start });
    let last = null;
    while (!run.stop) {
      const r = callPy(m.chunk, m.chunk_args);
      if (!r.ok) return post({ id, type: "reply", ...r });
      last = r.result;
      post({ id, type: "progress", ...last });
      if (last.finished) break;
      await yieldToEvents();
    }
    if (run.stop && m.cancel) callPy(m.cancel, {});
    post({ id, type: "reply", ok: true, result: { start: start.result, last, stopped: run.stop } });
  } finally {
    if (job === run) job = null;
    finish();
  }
}

async function stopJob(id) {
  const run = job;
  if (run) {
    run.stop = true;
    await run.done;
  }
  post({ id, type: "reply", ok: true, result: { stopped: Boolean(run) } });
}

// These change a task's model or data: a running training of that task stops first.
const MUTATING = new Set(["train_start", "reset", "set_data", "load"]);

async function call(id, method, args) {
  if (training && MUTATING.has(method) && (args.task || "names") === training.task) {
    training.stop = true;
    await training.done;
  }
  post({ id, type: "reply", ...callPy(method, args) });
}

const booting = boot().catch((e) => {
  post({ type: "fatal", message: String(e && e.message || e) });
  throw e;
});

self.onmessage = async (ev) => {
  const m = ev.data || {};
  if (m.type === "ping") return post({ id: m.id, type: "reply", ok: true, result: "pong" });
  if (m.type === "memory") {
    const wasm = pyodide ? pyodide._module.HEAP8.buffer.byteLength : 0;
    const js = self.performance && performance.memory ? performance.memory.usedJSHeapSize : null;
    return post({ id: m.id, type: "reply", ok: true, result: { wasm, js } });
  }
  try {
    await booting;
  } catch {
    return post({ id: m.id, type: "reply", ok: false, error: "Python failed to start", kind: "crash" });
  }
  try {
    if (m.type === "call") await call(m.id, m.method, m.args || {});
    else if (m.type === "train") await train(m.id, m.args || {});
    else if (m.type === "stop") await stop(m.id);
    else if (m.type === "job") await runJob(m.id, m);
    else if (m.type === "stop_job") await stopJob(m.id);
    else post({ id: m.id, type: "reply", ok: false, error: `unknown request type ${m.type}`, kind: "internal" });
  } catch (e) {
    post({ id: m.id, type: "reply", ok: false, error: String(e && e.message || e), kind: "internal" });
  }
};
