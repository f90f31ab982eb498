// The page's handle on the Python worker: requests matched by id, progress events,
// a start-up stall time-out, crash detection and restart. The only module that talks to
// worker.js; it never touches the DOM.
//
//   const engine = new Engine();           // starts the worker at once
//   engine.addEventListener("status", e => ...e.detail)   // {stage, message, loaded, total, state}
//   await engine.ready;                     // resolves when Python is ready
//   const r = await engine.call("sample", {n: 15});        // rejects with EngineError
//   const m = await engine.pieces("elbo", {task}, stale)   // a measurement in 25 ms pieces
//   await engine.train({task, fresh, start, epochs}, p => ...)   // p: {epoch, losses, ...}
//   await engine.stop();
//   await engine.job({start, chunk, cancel, args, chunk_args}, p => ...)  // a chunked job
//   await engine.stopJob();

export class EngineError extends Error {
  constructor(message, kind = "internal") {
    super(message);
    this.kind = kind; // "user" (say it as is), "internal", "crash", "timeout"
  }
}

// A start fails only when it stops moving. After STALL_MS with no status from the worker,
// the page pings it: a worker that answers within IDLE_ANSWER_MS is idle, waiting for a
// download that does not come, and the start fails, naming its stage. One that does not
// answer is busy (compiling the runtime or numpy's modules blocks it for a minute on a
// slow machine; WebKitGTK under heavy load was measured silent for over 60 s): its late
// answer counts as progress, and only BUSY_LIMIT_MS without one fails. A download
// reports only when done: 60 s covers the 10 MB runtime at about 1.5 Mbit/s.
const STALL_MS = 60000;
const IDLE_ANSWER_MS = 2000;
const BUSY_LIMIT_MS = 300000;
const HEARTBEAT_MS = 1500;
const HEARTBEAT_GRACE_MS = 6000; // no pong for this long while idle: the worker is gone
const BUSY_GRACE_MS = 30000; // while a request is in flight, Python may be busy in one call

export class Engine extends EventTarget {
  /** ``stallMs``: a start with no status for this long (ms) is checked; ``busyLimitMs``:
   *  how long a busy, silent worker may go on (see STALL_MS above). */
  constructor({ workerUrl = new URL("./worker.js", import.meta.url), stallMs = STALL_MS, busyLimitMs = BUSY_LIMIT_MS } = {}) {
    super();
    this.workerUrl = workerUrl;
    this.stallMs = stallMs;
    this.busyLimitMs = busyLimitMs;
    this.state = "idle"; // idle | loading | ready | failed
    this.start();
  }

  _emit(detail) {
    this.dispatchEvent(new CustomEvent("status", { detail: { state: this.state, ...detail } }));
  }

  start() {
    this.nextId = 1;
    this.pending = new Map(); // id -> {resolve, reject, onProgress}
    this.state = "loading";
    this.lastPong = performance.now();
    let readyResolve, readyReject;
    this.ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
    this.ready.catch(() => {}); // failures are reported through "status" events
    this._readyResolve = readyResolve;
    this._readyReject = readyReject;
    const started = performance.now();
    try {
      this.worker = new Worker(this.workerUrl, { type: "module" });
    } catch (e) {
      this._fail(`the browser could not start a Web Worker (${e.message})`);
      return;
    }
    this.worker.onmessage = (ev) => this._onMessage(ev.data);
    this.worker.onerror = (ev) => {
      ev.preventDefault?.();
      this._fail(this.state === "ready" ? "the Python worker crashed" : `the Python runtime failed to load${ev.message ? ": " + ev.message : ""}`);
    };
    this._progressed({ stage: "runtime", message: "starting the Python runtime" });
    this._emit({ stage: "runtime", message: "starting the Python runtime", elapsed: 0, started });
  }

  /** A start-up status arrived (or a busy worker answered): the stall clock restarts. */
  _progressed(status) {
    this.lastStatus = status;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this._checkStall(), this.stallMs);
  }

  /** No status for stallMs: fail if the worker is idle, wait if it is busy. */
  _checkStall() {
    if (this.state !== "loading") return;
    const s = this.lastStatus;
    const asked = performance.now();
    this._send({ type: "ping" }).then(() => {
      if (this.state !== "loading" || this.lastStatus !== s) return;
      if (performance.now() - asked < IDLE_ANSWER_MS) {
        this._fail(`the start stalled at the ${s.stage} stage: nothing new for ${Math.round(this.stallMs / 1000)} s after "${s.message}"`, "timeout");
      } else this._progressed(s); // it was busy working
    }, () => {});
    this.timer = setTimeout(() => {
      if (this.state === "loading" && this.lastStatus === s) this._fail(`the start stopped at the ${s.stage} stage: the worker has been busy for ${Math.round(this.busyLimitMs / 1000)} s without a word after "${s.message}"`, "timeout");
    }, this.busyLimitMs);
  }

  _onMessage(m) {
    if (m.type === "status") {
      if (this.state === "loading") this._progressed(m);
      return this._emit(m);
    }
    if (m.type === "ready") {
      clearTimeout(this.timer);
      this.state = "ready";
      this.versions = m.versions;
      this.readySeconds = m.seconds;
      this.readyAt = performance.now(); // ms since navigation (make bench reads it)
      this._emit({ stage: "ready", message: "Python is ready", seconds: m.seconds, versions: m.versions });
      this._readyResolve(m);
      this._heartbeat();
      return;
    }
    if (m.type === "fatal") return this._fail(`the Python runtime failed to load: ${m.message}`);
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === "progress") return p.onProgress && p.onProgress(m);
    this.pending.delete(m.id);
    if (m.id === this._pingId) this.lastPong = performance.now();
    if (m.ok) p.resolve(m.result);
    else p.reject(new EngineError(m.error, m.kind));
  }

  _heartbeat() {
    clearInterval(this.beat);
    this.lastPong = performance.now(); // the grace period starts at ready, not at start()
    this.beat = setInterval(() => {
      if (this.state !== "ready") return clearInterval(this.beat);
      // a "call" runs in one piece and cannot answer pings meanwhile; training can
      const busy = [...this.pending.values()].some((p) => p.type === "call" && !p.quick);
      const grace = busy ? BUSY_GRACE_MS : HEARTBEAT_GRACE_MS;
      if (performance.now() - this.lastPong > grace) return this._fail("the Python worker stopped responding", "crash");
      if (this.pending.has(this._pingId)) return; // still waiting for the last one
      this._pingId = this.nextId;
      this._send({ type: "ping" }).then(() => (this.lastPong = performance.now()), () => {});
    }, HEARTBEAT_MS);
  }

  _fail(message, kind = "crash") {
    if (this.state === "failed") return;
    const wasReady = this.state === "ready";
    this.state = "failed";
    clearTimeout(this.timer);
    clearInterval(this.beat);
    try { this.worker && this.worker.terminate(); } catch { /* already gone */ }
    for (const p of this.pending.values()) p.reject(new EngineError(message, kind));
    this.pending.clear();
    this._readyReject(new EngineError(message, kind));
    this._emit({ stage: "error", message, kind, wasReady });
  }

  /** Terminate the worker and start a fresh one (the page keeps its settings). */
  restart() {
    this.state = "failed";
    clearTimeout(this.timer);
    clearInterval(this.beat);
    try { this.worker && this.worker.terminate(); } catch { /* gone */ }
    for (const p of this.pending.values()) p.reject(new EngineError("restarted", "crash"));
    this.start();
    return this.ready;
  }

  _send(msg, onProgress, quick = false) {
    if (this.state === "failed") return Promise.reject(new EngineError("the Python worker is not running", "crash"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, type: msg.type, quick });
      this.worker.postMessage({ id, ...msg });
    });
  }

  /** Call one Session method; resolves with its result, rejects with an EngineError.
   *  ``quick``: the call takes milliseconds, so the worker must still answer pings on time
   *  (a dead worker is then found within HEARTBEAT_GRACE_MS, not BUSY_GRACE_MS). */
  async call(method, args = {}, { quick = false } = {}) {
    await this.ready;
    return this._send({ type: "call", method, args }, undefined, quick);
  }

  /**
   * A measurement served in pieces: ``<method>_start(args)``, then ``<method>_chunk`` of at
   * most ``maxMs`` ms each until its reply says ``done`` (diffusion_core/pieces.py), so any
   * other request is answered between two pieces. Resolves with the finished reply, or with
   * null as soon as ``stale()`` says the answer is no longer wanted.
   */
  async pieces(method, args, stale, maxMs = 25) {
    let r = await this.call(`${method}_start`, args);
    while (!r.done) {
      if (stale()) return null;
      r = await this.call(`${method}_chunk`, { ...args, max_ms: maxMs }, { quick: true });
    }
    return stale() ? null : r;
  }

  /** A training run in chunks. ``onProgress({epoch, losses, steps, seconds, elapsed})``. */
  async train(args, onProgress) {
    await this.ready;
    return this._send({ type: "train", args }, onProgress);
  }

  /**
   * A chunked Session job: `start(args)`, then `chunk(chunk_args)` until finished,
   * `onProgress(chunkResult)` after each; `cancel` runs when it is stopped.
   * Resolves with {start, last, stopped}.
   */
  async job(spec, onProgress) {
    await this.ready;
    return this._send({ type: "job", ...spec }, onProgress);
  }

  /** Stop the running job; resolves once it has stopped. */
  async stopJob() {
    if (this.state !== "ready") return { stopped: false };
    return this._send({ type: "stop_job" });
  }

  /** WebAssembly memory and the worker's JS heap, in bytes: {wasm, js}. */
  async memory() {
    await this.ready;
    return this._send({ type: "memory" });
  }

  /** Stop the running training; resolves once it has stopped. */
  async stop() {
    if (this.state !== "ready") return { stopped: false };
    return this._send({ type: "stop" });
  }
}
