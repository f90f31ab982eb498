// Tiny Text Diffusion: the page's entry module.
//
// It starts the Python engine first (so the downloads begin at once), builds one
// controller per section of the article (sections/), and wires the engine's
// life to them: ready (after the kept data and models are back in Python) or
// failed. Sections talk to each other only through the shared page (page.js):
// its state and its events ("model-replaced", "ready", "failed", "change").
// See ARCHITECTURE.md for the whole data flow.
//
// To add a section: write sections/NAME.js exporting createNAME({engine, state,
// page, kept}), which owns its DOM ids and listens to page events, and build it below.
// (index.html preloads no module: the first paint waits for none of them.)

import { Engine } from "./engine.js";

const FILE_MODE = location.protocol === "file:";
const engine = FILE_MODE ? null : new Engine(); // first thing: Python starts loading now

import { State, PROPS } from "./state.js";
import { Page } from "./page.js";
import { createPersistence } from "./persistence.js";
import { createPython } from "./sections/python.js";
import { createShare } from "./sections/share.js";
import { createIntroSection } from "./sections/intro.js";
import { createCorruptionSection } from "./sections/corruption.js";
import { createModelSection } from "./sections/model.js";
import { createTraining } from "./sections/training.js";
import { createNoT } from "./sections/no-t.js";
import { createTimeTravel } from "./sections/time-travel.js";
import { createSampling } from "./sections/sampling.js";
import { createTranslator } from "./sections/translator.js";
import { createYourData } from "./sections/your-data.js";
import { createModels } from "./sections/models.js";
import { createFacts } from "./sections/facts.js";
import { createSamplers } from "./sections/samplers.js";
import { createQuality } from "./sections/quality.js";
import { createBeliefs } from "./sections/beliefs.js";
import { createInfill } from "./sections/infill.js";
import { createByHand } from "./sections/by-hand.js";
import { createLeftToRight } from "./sections/left-to-right.js";
import { anchorScroll } from "./widgets/scroll-anchor.js";
import { keepTyped } from "./typed.js";
import { keepFocus } from "./keep-focus.js";

const state = new State(PROPS);
keepFocus(document); // a button that disables itself while it works keeps the keyboard's place
window.tinyDiffusion = { engine, state };
const page = new Page(engine);
const kept = createPersistence({ engine, page });
const python = createPython({ engine, page });
createShare({ state }); // the hash first: the sections below start from its settings
createFacts({ page }); // the data's counts and floor wherever the article quotes them

// Sections I and II need no model: they work from here on (make bench reads the mark).
createIntroSection();
createCorruptionSection({ page });
createYourData({ engine, page, kept });
performance.mark("widgets-ready");

// The other sections are built one per task, each a few milliseconds, so the browser can
// paint and answer input between them: one long task would hold up the reader's first
// clicks and scrolls (Lighthouse counts it as blocking time). The engine's news waits.
let built;
const whenBuilt = new Promise((resolve) => (built = resolve));
const nextTask = () => (globalThis.scheduler && scheduler.yield ? scheduler.yield() : new Promise((r) => setTimeout(r, 0)));
if (FILE_MODE) {
  whenBuilt.then(() => page.emit("file-mode"));
} else {
  engine.addEventListener("status", (e) => whenBuilt.then(() => {
    const d = e.detail;
    if (d.stage === "ready") onReady(d);
    else if (d.stage === "error") page.setReady(false, d);
    else python.update(d);
  }));
}
const sections = [
  () => createModelSection({ engine, page }),
  () => createTraining({ engine, state, page, kept }),
  () => createNoT({ engine, page }),
  () => createTimeTravel({ engine, state, page }),
  () => createSampling({ engine, state, page }),
  () => createTranslator({ engine, state, page, kept }),
  () => createModels({ engine, page, kept }),
  // The lab, part 1 (#14): beliefs beside the oracle, infilling, any order by hand.
  () => createBeliefs({ engine, state, page }),
  () => createInfill({ engine, state, page }),
  () => createByHand({ engine, state, page }),
  () => createQuality({ engine, state, page }), // before Samplers: it hears the first "lab-sampler" event
  () => createSamplers({ engine, state, page }),
  () => createLeftToRight({ engine, page }), // #15 part 5: a left-to-right model beside the names model
];
for (const build of sections) {
  await nextTask();
  build();
}
// Results that arrive above the reader (WebKit has no scroll anchoring) do not move what they
// read. CSS.supports first: anchorScroll's own check reads a computed style, which here,
// with the page just built, would cost a style pass over the whole document.
if (!CSS.supports("overflow-anchor", "auto")) anchorScroll(document.querySelectorAll("header.hero > *, main > section > *"));

// ------------------------------------------------------- engine ready / failed
async function onReady(detail) {
  try {
    await kept.restore();
  } catch { /* each step is guarded; carry on with what worked */ }
  if (engine.state !== "ready") {
    page.ready = false;
    return;
  }
  page.setReady(true, detail);
  warmUp();
}

// The page's own requests on a throwaway model, in pieces of 20 ms while the reader reads
// (session "warm_up"): the browser compiles the code they run, and numpy's hot loops with
// its optimising compiler, before the first Train (see diffusion_core/session_training.py).
// A reader's own call waits at most one piece.
async function warmUp() {
  const idle = () => new Promise((r) => (window.requestIdleCallback ? requestIdleCallback(r, { timeout: 200 }) : setTimeout(r, 50)));
  for (let piece = 0; piece < 100 && engine.state === "ready"; piece += 1) {
    await idle();
    try {
      if ((await engine.call("warm_up", { max_ms: 20 }, { quick: true })).done) return performance.mark("warm-up-done");
    } catch {
      return; // a restart or a dead worker: nothing to warm
    }
  }
}

// the boxes the address does not keep: a reload gives back what was typed in this tab
keepTyped(["pattern", "fill-n", "answer-word", "answer-pattern", "quality-n", "word"]);
page.changed();
performance.mark("page-built"); // every section answers from here on (the tests wait for it)
built();
