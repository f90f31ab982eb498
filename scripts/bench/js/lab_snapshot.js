// Training time travel: move the "Training snapshot" slider to `index` (an input event);
// done when that snapshot's names are shown (the list's data-epoch is its epoch).
async ([index]) => {
  const L = window.__lab;
  const slider = document.querySelector("#snapshot");
  const names = document.querySelector("#snapshot-names");
  if (slider.disabled) throw new Error("the snapshot slider is disabled");
  const i = Math.max(0, Math.min(Number(slider.max), index));
  if (String(i) === slider.value) throw new Error(`the slider is already at ${i}`);
  const epoch = () => (L.text("#snapshot-value").match(/^epoch (\d+):/) || [])[1];
  const r = await L.time(() => {
    slider.value = String(i);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
  }, document.querySelector("#snapshot-widget"), () => epoch() !== undefined && names.dataset.epoch === epoch() && names.children.length > 0);
  return { ...r, index: i, max: Number(slider.max), epoch: Number(epoch()) };
}
