// Section I: left-to-right versus diffusion, for "rahul". Needs no model.
//
//   const intro = createIntro({arRow, diffRow, arCount, diffCount, note, play, step, reset, reducedMotion});
//
// One tick of the clock is one model call. Left to right needs five ticks, each
// waiting for the one before; diffusion needs three, each predicting all positions.

import { setRow } from "./cells.js";

const WORD = "rahul";
const DIFFUSION = ["?????", "??h??", "?ahu?", "rahul"];
const TICKS = WORD.length;
const TICK_MS = 900;

const arFrame = (k) => WORD.slice(0, k) + "?".repeat(WORD.length - k);

function changed(before, after) {
  const out = new Set();
  for (let i = 0; i < after.length; i++) if (before[i] !== after[i]) out.add(i);
  return out;
}

export function createIntro({ arRow, diffRow, arCount, diffCount, note, play, step, reset, reducedMotion }) {
  let tick = 0;
  let timer = null;

  function render() {
    const ar = arFrame(tick);
    const d = Math.min(tick, DIFFUSION.length - 1);
    setRow(arRow, ar, tick > 0 ? changed(arFrame(tick - 1), ar) : new Set());
    setRow(diffRow, DIFFUSION[d], tick > 0 && tick < DIFFUSION.length ? changed(DIFFUSION[d - 1], DIFFUSION[d]) : new Set());
    arCount.textContent = tick >= TICKS ? "done: 5 of 5 steps" : `step ${tick} of ${TICKS}`;
    diffCount.textContent = d >= DIFFUSION.length - 1 ? "done: 3 of 3 steps" : `step ${d} of ${DIFFUSION.length - 1}`;
    arCount.parentElement.parentElement.classList.toggle("done", tick >= TICKS);
    diffCount.parentElement.parentElement.classList.toggle("done", d >= DIFFUSION.length - 1);
    if (tick === 0) note.textContent = "Both start from five masks. Press Play or Step.";
    else if (tick < DIFFUSION.length - 1) note.textContent = `Tick ${tick}: left to right has one letter more; diffusion predicted all five positions and kept ${changed(DIFFUSION[d - 1], DIFFUSION[d]).size}.`;
    else if (tick === DIFFUSION.length - 1) note.textContent = `Tick ${tick}: diffusion is done. Left to right still needs ${TICKS - tick} more steps, one after the other.`;
    else if (tick < TICKS) note.textContent = `Tick ${tick}: left to right is still going.`;
    else note.textContent = "Five sequential steps against three parallel ones.";
  }

  function stopTimer() {
    if (timer) clearInterval(timer);
    timer = null;
    play.textContent = "Play";
  }

  function advance() {
    tick = tick >= TICKS ? 0 : tick + 1;
    render();
  }

  // Play runs the clock (from the start once it has finished); while it runs the
  // same button reads Pause and stops it where it is.
  play.addEventListener("click", () => {
    if (timer) {
      stopTimer();
      return;
    }
    if (tick >= TICKS) {
      tick = 0;
      render();
    }
    timer = setInterval(() => {
      advance();
      if (tick >= TICKS) stopTimer();
    }, reducedMotion() ? TICK_MS * 1.3 : TICK_MS);
    play.textContent = "Pause";
  });
  step.addEventListener("click", () => { stopTimer(); advance(); });
  reset.addEventListener("click", () => { stopTimer(); tick = 0; render(); });

  render();
  return { render };
}
