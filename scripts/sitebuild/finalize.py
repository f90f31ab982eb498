"""Generate dist/sw.js (service worker) and dist/build-manifest.json."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from .config import SW_TEMPLATE, BuildError
from .util import rel_posix, sha256_file

SW_NAME = "sw.js"
MANIFEST_NAME = "build-manifest.json"
# Files that are in the site but must not be precached.
NOT_PRECACHED = {SW_NAME, ".nojekyll"}


def _inventory(site: Path) -> dict[str, dict]:
    files = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = rel_posix(path, site)
        files[rel] = {"size": path.stat().st_size, "sha256": sha256_file(path)}
    return files


def _build_hash(files: dict[str, dict]) -> str:
    import hashlib

    h = hashlib.sha256()
    for rel, info in sorted(files.items()):
        h.update(f"{rel}\0{info['sha256']}\n".encode())
    return h.hexdigest()[:16]


def _sri(hex_digest: str) -> str:
    return "sha256-" + base64.b64encode(bytes.fromhex(hex_digest)).decode()


def _fill(template: str, placeholder: str, value: str) -> str:
    if template.count(placeholder) != 1:
        raise BuildError(f"{SW_TEMPLATE.name} must contain {placeholder} exactly once")
    return template.replace(placeholder, value)


def write_service_worker_and_manifest(site: Path, info: dict) -> str:
    """Write sw.js and build-manifest.json into `site`; return the build hash."""
    for name in (SW_NAME, MANIFEST_NAME):
        if (site / name).exists():
            raise BuildError(f"site/ must not contain {name}: the build generates it")
    files = _inventory(site)
    build_hash = _build_hash(files)
    precache = [
        {"url": rel, "integrity": _sri(meta["sha256"])}
        for rel, meta in files.items()
        if rel not in NOT_PRECACHED
    ]
    # The manifest is derived from the files above (whose hashes make the
    # build hash), so it is precached without an integrity value.
    precache.append({"url": MANIFEST_NAME, "integrity": None})

    sw = SW_TEMPLATE.read_text(encoding="utf-8")
    sw = _fill(sw, '"__BUILD_HASH__"', json.dumps(build_hash))
    sw = _fill(sw, "/*__PRECACHE__*/ []", json.dumps(precache, indent=1))
    (site / SW_NAME).write_text(sw, encoding="utf-8")

    files[SW_NAME] = {
        "size": (site / SW_NAME).stat().st_size,
        "sha256": sha256_file(site / SW_NAME),
    }
    manifest = {
        "build_hash": build_hash,
        **info,
        "files": dict(sorted(files.items())),
    }
    (site / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return build_hash
