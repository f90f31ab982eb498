// Section I, "Not one token at a time": left to right against diffusion, for one
// name. Needs no model; it works before Python is ready.
//
//   createIntroSection();   // -> the widget ({render})

import { $ } from "../page.js";
import { createIntro } from "../widgets/intro.js";

const reducedMotion = () => window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;

export function createIntroSection() {
  return createIntro({
    arRow: $("intro-ar"), diffRow: $("intro-diff"), arCount: $("intro-ar-count"), diffCount: $("intro-diff-count"),
    note: $("intro-note"), play: $("intro-play"), step: $("intro-step"), reset: $("intro-reset"), reducedMotion,
  });
}
