"""Install the npm inputs (Pyodide core, KaTeX, fonts) with `npm ci`.

`npm ci` runs only when node_modules is missing or was installed from a
different package.json / package-lock.json (tracked by a stamp file).
"""

from __future__ import annotations

import json
import shutil
import subprocess

from .config import NODE_MODULES, PACKAGE_JSON, PACKAGE_LOCK, ROOT, BuildError
from .util import log, sha256_bytes

STAMP = NODE_MODULES / ".site-build-stamp"


def _lock_digest() -> str:
    return sha256_bytes(PACKAGE_JSON.read_bytes() + b"\0" + PACKAGE_LOCK.read_bytes())


def ensure_node_modules(pyodide_version: str) -> None:
    if not PACKAGE_LOCK.exists():
        raise BuildError("package-lock.json is missing; run `npm install` once and commit it")
    digest = _lock_digest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        log("node_modules matches package-lock.json; skipping npm ci")
    else:
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError("npm not found on PATH (Node.js 20+ is needed for the site build)")
        log("running npm ci")
        cmd = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
        res = subprocess.run(cmd, cwd=ROOT)
        if res.returncode != 0:
            raise BuildError(f"`{' '.join(cmd[1:])}` failed with exit code {res.returncode}")
        STAMP.write_text(digest + "\n")

    pkg = NODE_MODULES / "pyodide" / "package.json"
    if not pkg.exists():
        raise BuildError(f"{pkg} missing after npm ci")
    installed = json.loads(pkg.read_text(encoding="utf-8"))["version"]
    if installed != pyodide_version:
        raise BuildError(
            f"node_modules has pyodide {installed}, package.json pins {pyodide_version}; "
            "delete node_modules and rebuild"
        )
