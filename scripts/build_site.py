#!/usr/bin/env python3
"""Build the static site into dist/ (run via `make site`).

dist/ layout:
  index.html, …            copied from site/; index.html's formulas typeset with KaTeX,
                           its style sheets inlined (sitebuild/inline_css.py)
  js/app.js (+ .map)       js/main.js and the modules it imports, bundled by esbuild
                           (sitebuild/bundle.py); index.html loads it
  pyodide/                 Pyodide core + pyodide-lock.json + wheels (indexURL)
  vendor/katex/            KaTeX (css, woff2 fonts; js for other pages)
  vendor/fonts/            self-hosted woff2 fonts + fonts.css
  sw.js                    precaching service worker (from scripts/sw.template.js)
  build-manifest.json      every file's size and sha256, Pyodide version
  .nojekyll

The tree is assembled in dist.tmp/ (next to --out) and swapped in at the end, so a failed
build leaves the previous dist/ untouched. Inputs are cached (node_modules/,
.cache/), so a rebuild with warm caches needs no network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitebuild.bundle import bundle_scripts  # noqa: E402
from sitebuild.config import (  # noqa: E402
    DIST,
    NODE_MODULES,
    PYODIDE_CORE_FILES,
    ROOT,
    SITE_SRC,
    BuildError,
    pyodide_version,
)
from sitebuild.finalize import MANIFEST_NAME, SW_NAME, write_service_worker_and_manifest  # noqa: E402
from sitebuild.inline_css import inline_stylesheets  # noqa: E402
from sitebuild.lockfile import add_own_wheel, load_official_lock, official_wheels  # noqa: E402
from sitebuild.math import prerender_math  # noqa: E402
from sitebuild.npm_deps import ensure_node_modules  # noqa: E402
from sitebuild.own_wheel import build_own_wheel  # noqa: E402
from sitebuild.pyodide_wheels import obtain_wheel  # noqa: E402
from sitebuild.reading_time import write_reading_time  # noqa: E402
from sitebuild.util import copy_file, log  # noqa: E402
from sitebuild.vendor import vendor_fonts, vendor_katex  # noqa: E402

INDEX_DIR = "pyodide"
RESERVED = {INDEX_DIR, "vendor", SW_NAME, MANIFEST_NAME, ".nojekyll"}


def copy_site_sources(dest: Path) -> None:
    if not SITE_SRC.is_dir():
        raise BuildError(f"{SITE_SRC} not found: the page sources live there")
    clash = sorted(RESERVED.intersection(p.name for p in SITE_SRC.iterdir()))
    if clash:
        raise BuildError(f"site/ must not contain {clash}: the build generates them")
    shutil.copytree(
        SITE_SRC,
        dest,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store", "*~", "*.swp"),
        dirs_exist_ok=True,
    )


def build(out: Path) -> None:
    version = pyodide_version()
    log(f"Pyodide {version}")
    ensure_node_modules(version)
    official = load_official_lock(version)
    own_wheel = build_own_wheel()

    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    copy_site_sources(staging)
    log(f"bundled the page's modules into js/app.js ({bundle_scripts(staging) // 1024} kB)")

    index_dir = staging / INDEX_DIR
    for name in PYODIDE_CORE_FILES:
        copy_file(NODE_MODULES / "pyodide" / name, index_dir / name)
    copy_file(own_wheel, index_dir / own_wheel.name)
    spec, ours = add_own_wheel(official, index_dir / own_wheel.name, index_dir)
    shipped = []
    for wheel in official_wheels(spec, set(spec.packages) - {ours}):
        copy_file(obtain_wheel(wheel, version), index_dir / wheel.file_name)
        shipped.append(wheel.file_name)
    spec.to_json(index_dir / "pyodide-lock.json", indent=1)

    vendor_katex(staging)
    log(f"typeset {prerender_math(staging)} formulas with KaTeX")
    log(f"reading time: about {write_reading_time(staging)} minutes")
    vendor_fonts(staging)
    log(f"inlined {len(inline_stylesheets(staging))} style sheets into index.html")
    (staging / ".nojekyll").write_bytes(b"")

    build_hash = write_service_worker_and_manifest(
        staging,
        {
            "pyodide_version": version,
            "pyodide_index_url": f"{INDEX_DIR}/",
            "python_package": {
                "name": ours,
                "file_name": spec.packages[ours].file_name,
                "sha256": spec.packages[ours].sha256,
                "depends": spec.packages[ours].depends,
            },
            "pyodide_wheels": sorted(shipped),
        },
    )

    if out.exists():
        shutil.rmtree(out)
    os.replace(staging, out)
    log(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}/ (build {build_hash})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DIST, help="output folder (default: dist/)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        build(args.out.resolve())
    except BuildError as exc:
        print(f"[site] ERROR: {exc}", file=sys.stderr)
        return 1
    log(f"done in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
