// The generated names: one toggle button per sample, marked "new" or "in the
// training set", and the share of new ones. Picking one calls onPick(index).
//
//   const s = createSamples({list, novelty, onPick, noun});   // noun(): "names" (default) or "answers"
//   s.show(sampleResult);   // {samples: [{text, new, steps}], novelty}
//   s.select(3);  s.clear();

export function createSamples({ list, novelty, onPick, noun = () => "names" }) {
  let buttons = [];

  function select(i) {
    buttons.forEach((b, k) => b.setAttribute("aria-pressed", String(k === i)));
  }

  function show(result) {
    const frag = document.createDocumentFragment();
    buttons = result.samples.map((s, i) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "sample" + (s.new ? " is-new" : "");
      const name = document.createElement("span");
      name.className = "sample-text";
      name.textContent = s.text;
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = s.new ? "new" : "in the training set";
      b.append(name, badge);
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => { select(i); onPick(i); });
      li.append(b);
      frag.append(li);
      return b;
    });
    list.replaceChildren(frag);
    const n = result.samples.length;
    const fresh = result.samples.filter((s) => s.new).length;
    const what = noun();
    const rest = fresh === n ? "" : `; ${fresh === 0 ? "all" : "the rest"} are training ${what}`;
    novelty.textContent = `New ${what}: ${fresh} of ${n} (${Math.round((result.novelty ?? fresh / n) * 100)}%)${rest}.`;
  }

  function clear() {
    buttons = [];
    list.replaceChildren();
    novelty.textContent = "";
  }

  return { show, select, clear };
}
