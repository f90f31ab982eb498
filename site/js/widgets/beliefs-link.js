// Wiring a "Top candidates" panel to the cells of a timeline or of the live
// prediction: the cell-select events of those widgets become panel updates.
// The model's numbers of a timeline step come with the step (`top`, computed
// before the draw); the oracle's come from `ask(row)`, a function the section
// passes in (it calls the engine's `beliefs`), answered at most one at a time:
// while one is in flight only the latest selection waits. When the timeline is
// redrawn ("timeline-redrawn") the panel is cleared, and an answer still in
// flight for the old run is dropped.
//
//   linkTimeline(timelineRoot, panel, {ask: (row) => engine.call("beliefs", {row})});
//   linkPrediction(predictionRoot, panel, {ask});

const POS = (i) => `Position ${i + 1}`;

/** Run `fn(arg)` one at a time; a call made meanwhile replaces any waiting one. */
export function latestOnly(fn) {
  let busy = false;
  let waiting = null;
  return async function go(arg) {
    if (busy) {
      waiting = { arg };
      return;
    }
    busy = true;
    try {
      await fn(arg);
    } catch { /* the panel already says what went wrong */ } finally {
      busy = false;
      if (waiting) {
        const next = waiting.arg;
        waiting = null;
        go(next);
      }
    }
  };
}

function oracleFields(r) {
  return { oracle: r.oracle, fitting: r.fitting, fittingCount: r.fitting_count, note: r.note };
}

/** Ask for the oracle of `row` and show it with `base` unless `stale()`; say so if it fails. */
async function withOracle(panel, base, pos, row, ask, stale = () => false) {
  try {
    const r = await ask(row);
    if (stale()) return;
    panel.show({ ...base, model: base.model ?? r.model[pos], ...oracleFields(r), oracle: r.oracle ? r.oracle[pos] : null });
  } catch (e) {
    if (stale()) return;
    panel.show({ ...base, oracle: null, note: `Could not work out the exact posterior: ${e && e.message ? e.message : e}` });
  }
}

export function linkTimeline(root, panel, { ask, temperature, caption, noun }) {
  let drawn = 0; // counts redraws: an answer for an older drawing is not shown
  root.addEventListener("timeline-redrawn", () => {
    drawn += 1;
    panel.describe(null);
    panel.clear();
  });
  const update = latestOnly(async ({ step, pos, steps, cell }) => {
    const at = drawn;
    panel.describe(cell);
    const s = steps[step];
    const top = s && s.top ? s.top[pos] : null;
    if (!top) {
      const why = step === 0 ? "the model has not been called yet" :
        s.tokens[pos] === "?" ? "still masked, but the model was not called at this step" :
          "visible before this step: nothing to guess";
      panel.clear(`${POS(pos)}, ${step === 0 ? "start" : `step ${step}`}: ${why}. Masked and just-revealed cells have candidates (a dot marks them).`);
      return;
    }
    const input = steps[step - 1].tokens;
    const base = {
      title: `${POS(pos)}, step ${step}: the model saw ${input}` + (s.tokens[pos] !== "?" ? ` and drew ${s.tokens[pos]}` : ""),
      model: top, temperature: typeof temperature === "function" ? temperature() : temperature,
      modelCaption: typeof caption === "function" ? caption() : caption,
      noun: typeof noun === "function" ? noun() : noun,
    };
    panel.show(base);
    await withOracle(panel, base, pos, input, ask, () => at !== drawn);
  });
  root.addEventListener("cell-select", (e) => update(e.detail));
}

export function linkPrediction(root, panel, { ask }) {
  const update = latestOnly(async ({ row, pos, cell }) => {
    panel.describe(cell);
    if (row[pos] !== "?") {
      panel.clear(`${POS(pos)} is visible in the corrupted row (${row[pos]}): the model only copies it. Pick a hidden one.`);
      return;
    }
    const base = { title: `${POS(pos)} of ${row}`, model: null };
    try {
      const r = await ask(row);
      panel.show({ ...base, model: r.model[pos], ...oracleFields(r), oracle: r.oracle ? r.oracle[pos] : null });
    } catch (e) {
      panel.clear(`Could not ask the model: ${e && e.message ? e.message : e}`);
    }
  });
  root.addEventListener("cell-select", (e) => update(e.detail));
}
