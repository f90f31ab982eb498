// The page's controls, each bound to one setting of the shared state (state.js),
// so that a change from the control or from the URL hash shows in both.
//
//   const sync = bindControls(state, {
//     lr: {el, out, toControl: (v) => ..., fromControl: (s) => ..., show: (v) => "0.01"},
//     seed: {el, refused: (typed, kept) => ...},   // typed: what was refused, or null
//   });
//   sync("lr");   // show the state's value again (after setting it in code)
//
// Selects fire "change", sliders and number fields "input"; an invalid entry
// snaps back on "change". A range input gets aria-valuetext.

export function bindControls(state, controls) {
  function syncControl(name) {
    const c = controls[name];
    const v = state.get(name);
    const shown = c.show ? c.show(v) : String(v);
    c.el.value = c.toControl ? c.toControl(v) : String(v);
    if (c.out) c.out.textContent = shown;
    if (c.el.type === "range") c.el.setAttribute("aria-valuetext", shown);
  }

  for (const [name, c] of Object.entries(controls)) {
    syncControl(name);
    const onEdit = () => {
      const ok = state.set(name, c.fromControl ? c.fromControl(c.el.value) : c.el.value);
      if (ok && c.out) syncControl(name);
      // a valid entry answers an earlier refusal, even one equal to the kept value (which
      // fires no "change" when the box is left)
      if (ok && c.refused) c.refused(null, state.get(name));
    };
    c.el.addEventListener(c.el.tagName === "SELECT" ? "change" : "input", onEdit);
    c.el.addEventListener("change", () => { // an invalid number snaps back, and `refused` says so
      const typed = c.el.value;
      syncControl(name);
      if (c.refused) c.refused(typed !== c.el.value ? typed : null, state.get(name));
    });
  }

  state.addEventListener("change", (e) => {
    if (e.detail.source === "hash" && e.detail.name in controls) syncControl(e.detail.name);
  });
  return syncControl;
}
