"""Bundle the page's JavaScript: js/main.js and every module it imports, as one js/app.js.

The page's code is some fifty small ES modules (site/js/). Loaded one by one, the browser
finds each level of imports only once the level above has been fetched and parsed, and on
a busy main thread (the article's first layout) that chain ended 0.8-1.3 s after
navigation; as one file, everything is there once the document is parsed (the README's
"Performance" section has the measurements). esbuild, the npm ``esbuild`` pinned in
package.json, joins them with the ES module semantics kept (evaluation order, live
bindings); the output is not minified, so what a reader opens in the browser is the code as
written, one module after another, with a source map that points at the modules.

dist/ keeps every module as well (the source map names them, and they can be imported one
by one); index.html's ``<script type="module" src="js/main.js">`` becomes ``js/app.js``.
Raises :class:`BuildError` when esbuild is missing or fails, or index.html has no such tag.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .config import NODE_MODULES, ROOT, BuildError

ENTRY = "js/main.js"
BUNDLE = "js/app.js"
_TAG = f'<script type="module" src="{ENTRY}"></script>'


def bundle_scripts(site: Path) -> int:
    """Write ``site``/js/app.js (and app.js.map) from ``site``/js/main.js and point
    index.html at it. Returns the bundle's size in bytes."""
    index = site / "index.html"
    text = index.read_text(encoding="utf-8")
    if text.count(_TAG) != 1:
        raise BuildError(f"index.html must load the page's code once, as {_TAG}")
    esbuild = NODE_MODULES / ".bin" / "esbuild"
    if not esbuild.exists():
        raise BuildError("node_modules/.bin/esbuild is missing: run npm ci")
    cmd = [str(esbuild), str(site / ENTRY), "--bundle", "--format=esm", "--target=es2022",
           f"--outfile={site / BUNDLE}", "--sourcemap=linked", "--sources-content=false",
           "--charset=utf8", "--log-level=warning"]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    if res.returncode != 0:  # esbuild's own report, without its Node.js launcher's stack
        report = (res.stderr or res.stdout).split("\nnode:child_process")[0].strip()
        raise BuildError(f"bundling {ENTRY} failed:\n{report[:1200]}")
    index.write_text(text.replace(_TAG, f'<script type="module" src="{BUNDLE}"></script>'),
                     encoding="utf-8")
    return (site / BUNDLE).stat().st_size
