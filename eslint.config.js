// ESLint for the page's JavaScript (site/js) and the build's (scripts/*.js).
// `make lint` runs it. The two size rules are the project's: no file over 400
// lines, no function over 60 (blank lines and comments do not count).
import js from "@eslint/js";
import globals from "globals";

const SIZE = {
  "max-lines": ["error", { max: 400, skipBlankLines: true, skipComments: true }],
  "max-lines-per-function": ["error", { max: 60, skipBlankLines: true, skipComments: true }],
};

export default [
  js.configs.recommended,
  {
    files: ["site/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: SIZE,
  },
  {
    files: ["site/js/worker.js"],
    languageOptions: { globals: { ...globals.worker } },
  },
  {
    // Classic scripts: file-note.js runs where modules cannot; the service worker.
    files: ["site/js/file-note.js", "scripts/*.js"],
    languageOptions: { sourceType: "script" },
  },
  {
    files: ["scripts/*.js"],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.serviceworker } },
    rules: SIZE,
  },
];
