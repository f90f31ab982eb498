// The page's shared state and events: what every section of the article may
// read, and the few things that cross from one section to another. It owns no
// DOM: each section keeps its own elements and listens here.
//
//   const page = new Page(engine);
//   page.tasks.names       -> {info, hasModel, diverged, version}
//   page.ready             -> true while Python is ready
//   page.usable("names")   -> a model is there and did not diverge
//   page.running("names")  -> a training run of that task is in flight
//   page.on("model-replaced", ({task, info, cause, ...}) => ...)
//
// Events (page.on(type, fn), fn gets the detail):
//   "model-replaced"  {task, info, cause, ...}: the task's model was replaced or dropped.
//       cause "reset" (info null: the model is gone, the data stays), "data" (new
//       data, no model), "file" (a model file was loaded), "restore" (Python
//       (re)started: {loaded, boot, text, builtin}; see persistence.js).
//   "ready"    detail of the engine's status: Python is ready (after every start
//       or restart) and the kept data and models are back in it.
//   "failed"   detail of the engine's status: Python stopped or could not start.
//   "file-mode": the page was opened from a file; Python cannot run here.
//   "change": a model, a run or readiness changed: sections redraw their buttons.
//   "run-started" {task, fresh}: a training run of the task begins (fresh: new weights;
//       otherwise +500 more goes on); results drawn with the weights before it are stale.
//   "trained" {task, version, stopped, diverged}: a training run of the task's current
//       model ended (training.js; the time-travel slider reads its snapshots then).
//
// One training run at a time, for both tasks: `beginRun` and `trackRun`.

export const TASKS = ["names", "translate"];
const DOUBLE_CLICK_MS = 1000;
// Used until `describe` answers (the same values as diffusion_core.train.RECIPES).
const FALLBACK_RECIPES = {
  names: { seed: { lr: 0.01, epochs: 500 }, default: { lr: 0.03, epochs: 160 } },
  translate: { seed: { lr: 0.01, epochs: 1000 }, default: { lr: 0.03, epochs: 40 } },
};

// -------------------------------------------------------------------- messages
const SWITCHING = new Set(["train-message", "translator-message", "sample-message"]);

/** Show `text` in a message element; kind "error" | "ok" | "" (plain). */
export function say(el, text, kind = "") {
  if (SWITCHING.has(el.id)) el.setAttribute("role", kind === "error" ? "alert" : "status");
  if (kind) el.dataset.kind = kind;
  else delete el.dataset.kind;
  el.textContent = text;
}

/**
 * Keep a widget's opening prompt true to the model of `task`: `none` while it has no
 * usable model, `ready` once it has one (on every "change" of the page). Only a prompt
 * replaces a prompt: while the message shows anything else (a result, an error, progress)
 * it is left alone. `stale`: more texts that count as prompts (e.g. "train first" errors);
 * `training`: the prompt while a run of `task` trains, for a widget that waits for its end.
 *
 *   keepPrompt(page, "names", $("sample-message"), {none: "Train … first", ready: "Press Generate …"});
 */
export function keepPrompt(page, task, el, { none, ready, stale = [], training = null }) {
  const prompts = new Set([el.textContent, none, ready, training, ...stale].filter(Boolean));
  const update = () => {
    if (!prompts.has(el.textContent) || !page.ready) return;
    if (training && page.running(task)) say(el, training);
    else say(el, page.usable(task) ? ready : none);
  };
  page.on("change", update);
}

/**
 * A sentence for a restored or loaded model whose Adam keeps another momentum (β1) than
 * the page's default recipe for its task, which "+500 more" would not show; "" when they
 * agree, when the model was not trained with Adam, or when either is unknown.
 * `recipe`: the model's (Python's Recipe.to_json: optimizer, beta1, ...); `defaults`:
 * `page.recipes(task)`. Models saved before the default dropped momentum have β1 = 0.9.
 */
export function momentumNote(recipe, defaults) {
  const d = defaults && defaults.default;
  const known = (x) => typeof x === "number" && Number.isFinite(x);
  if (!recipe || recipe.optimizer !== "adam" || !d || !known(recipe.beta1) || !known(d.beta1) || recipe.beta1 === d.beta1) return "";
  return ` It was trained with Adam's momentum β1 = ${recipe.beta1}, where the page's default recipe has β1 = ${d.beta1}; +500 more goes on with the model's own.`;
}

export const errorText = (e) => (e && e.message ? e.message : String(e));

/** What a training run that ended in an error says. */
export const trainingError = (err) =>
  err.kind === "crash" ? "Training ended because Python stopped; restart it above." : `Training failed: ${errorText(err)}`;

export const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- page state
export class Page extends EventTarget {
  constructor(engine) {
    super();
    this.engine = engine; // null when the page was opened from a file
    this.tasks = Object.fromEntries(TASKS.map((task) => [task, {
      info: null, // the last `describe` (or set_data / load) answer
      hasModel: false,
      diverged: false,
      version: 0, // bumped whenever the model is replaced or dropped
    }]));
    this.ready = false;
    this.activeRun = null; // {task, promise, started, target}
    this.starting = false;
    this.generated = 0; // draws so far: each Generate or Translate gets its own seed
  }

  on(type, fn) {
    this.addEventListener(type, (e) => fn(e.detail));
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  changed() {
    this.emit("change");
  }

  recipes(task) {
    return this.tasks[task].info?.recipes || FALLBACK_RECIPES[task];
  }

  usable(task) {
    const t = this.tasks[task];
    return t.hasModel && !t.diverged;
  }

  running(task) {
    return this.activeRun !== null && this.activeRun.task === task;
  }

  /** The seed of the next draw: the reader's seed plus the draws so far, mod 2^32. */
  nextSeed(seed) {
    return (seed + this.generated++) % 2 ** 32;
  }

  /**
   * The model of `task` was replaced (info: a describe-shaped answer) or dropped
   * (info null): bump its version, tell every section, then redraw the buttons.
   */
  replaceModel(task, { info = null, cause, ...more }) {
    const t = this.tasks[task];
    t.version += 1;
    t.diverged = false;
    if (info) t.info = info;
    t.hasModel = Boolean(info && info.has_model);
    this.emit("model-replaced", { task, info, cause, version: t.version, ...more });
    this.changed();
  }

  /** Python is ready (after the kept models were restored) or has stopped. */
  setReady(ready, detail) {
    this.ready = ready;
    if (!ready) for (const t of Object.values(this.tasks)) t.hasModel = false;
    this.emit(ready ? "ready" : "failed", detail);
    this.changed();
  }

  /**
   * Start a training run of `task`, one at a time: a click within a second of the
   * last start is a double click (ignored); otherwise a running run is stopped
   * first and awaited, so the worker never sees two runs racing.
   */
  async beginRun(task, start) {
    if (!this.ready || this.starting) return;
    const run = this.activeRun;
    if (run && run.task === task && performance.now() - run.started < DOUBLE_CLICK_MS) return;
    this.starting = true;
    try {
      if (run) {
        if (run.task !== task) run.stoppedFor = task; // its end says why it stopped
        await this.engine.stop().catch(() => {});
        await run.promise;
      }
      if (this.ready) start();
    } finally {
      this.starting = false;
    }
  }

  /** Run `engine.train(args)`; progress of a replaced model is dropped. */
  trackRun(task, target, args, onProgress, onDone) {
    const run = { task, started: performance.now(), target };
    const version = this.tasks[task].version;
    const ended = () => {
      if (this.activeRun === run) this.activeRun = null;
      this.changed();
    };
    this.emit("run-started", { task, fresh: Boolean(args.fresh) }); // the weights change from here on
    const training = this.engine.train(args, (p) => { if (this.tasks[task].version === version) onProgress(p); });
    run.promise = training.then(() => {}, () => {}); // settles when the engine's run has ended
    // Measuring and saving come after the run, and do not hold up the next one.
    // r.stoppedFor: the other task whose Train stopped this run (one run at a time)
    training.then((r) => { ended(); onDone(r && run.stoppedFor ? { ...r, stoppedFor: run.stoppedFor } : r, null, version); },
      (e) => { ended(); onDone(null, e, version); });
    this.activeRun = run;
    this.changed();
    return run;
  }
}
