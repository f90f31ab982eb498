// The unmasking rules of diffusion_core.samplers, as the page names them.
// Imports nothing; the lab sections (samplers, quality) read it, and state.js (the
// "sampler" setting of the page's address).

export const RULES = [
  { id: "random", name: "Random order", cite: "MDLM" },
  { id: "confident", name: "Most confident first, linear count", cite: "MaskGIT" },
  { id: "confident_cosine", name: "Most confident first, cosine count", cite: "MaskGIT" },
  { id: "llada", name: "Low-confidence remasking", cite: "LLaDA" },
  { id: "remdm", name: "Remasking committed characters", cite: "ReMDM" },
  { id: "threshold", name: "Confidence threshold, early stop", cite: "" },
  { id: "left_to_right", name: "Left to right", cite: "" },
];

export const RULE_NAME = Object.fromEntries(RULES.map((r) => [r.id, r.name]));

/** The confidence the threshold rule needs (diffusion_core.samplers.THRESHOLD). */
export const THRESHOLD = 0.9;
