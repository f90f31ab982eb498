// Runs the reference where the bench serves it (read from its own folder, never copied).
import { trainSeedRecipe } from "./seed_reference.js";

self.onmessage = (ev) => {
  const r = trainSeedRecipe({ epochs: ev.data.epochs, seed: 1 });
  self.postMessage({ ms: r.ms, epochs: r.epochs, steps: r.steps, lastEpochLoss: r.lastEpochLoss });
};
