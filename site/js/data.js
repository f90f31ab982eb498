// Built-in data the model-free widgets need before Python is ready.
// NAMES mirrors diffusion_core/data/names.txt (the same 40 names, in order);
// once Python is ready the page takes the list from `describe` instead.

export const NAMES = [
  "aarav", "aditi", "aisha", "ananya", "anika", "arjun", "avni", "dev", "dhruv", "diya",
  "isha", "ishaan", "kabir", "karan", "kavya", "kiara", "krish", "meera", "myra", "navya",
  "neel", "neha", "nikhil", "nisha", "pari", "pooja", "priya", "rahul", "reyansh", "riya",
  "rohan", "saanvi", "sara", "sia", "sneha", "tara", "tanvi", "vanya", "vivaan", "zara",
];

export const MASK = "?";
export const PAD = "_";
export const SEP = ">";

/** "dev" padded to 7 -> "dev____". */
export const pad = (word, len) => word + PAD.repeat(Math.max(0, len - word.length));
