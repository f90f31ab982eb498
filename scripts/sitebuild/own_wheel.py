"""Build our pure-Python wheel (diffusion_core) with pypa/build.

The project files (pyproject.toml, README/LICENSE, the package folder) are
copied to a temporary folder and built there, so the repo root gets no
build/ or *.egg-info litter and stale build/lib files can't leak into the
wheel. The result is cached under .cache/own-wheel/<digest>/, keyed on the
content of exactly those files, so an unchanged tree needs no rebuild (and no
network, even if the build backend would have to be downloaded).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .config import (
    OWN_WHEEL_CACHE,
    PACKAGE_IMPORT_NAME,
    PACKAGE_META_GLOBS,
    ROOT,
    BuildError,
)
from .util import log

_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


def project_files() -> list[Path]:
    """The files that make up our wheel's source, relative to ROOT, sorted."""
    files: set[Path] = set()
    for pattern in PACKAGE_META_GLOBS:
        files.update(p for p in ROOT.glob(pattern) if p.is_file())
    for top in (ROOT / PACKAGE_IMPORT_NAME, ROOT / "src"):
        if not top.is_dir():
            continue
        for p in top.rglob("*"):
            rel = p.relative_to(ROOT)
            if not p.is_file() or _SKIP_DIRS.intersection(rel.parts):
                continue
            if p.suffix in _SKIP_SUFFIXES or rel.parts[-1].endswith(".egg-info"):
                continue
            files.add(p)
    return sorted(p.relative_to(ROOT) for p in files)


def _digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    for rel in files:
        h.update(rel.as_posix().encode() + b"\0")
        h.update((ROOT / rel).read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:20]


def _needs_isolation(srcdir: Path) -> bool:
    """Build in the current environment when it already has the backend."""
    import build  # pypa/build; listed in scripts/requirements-build.txt

    builder = build.ProjectBuilder(srcdir)
    unmet = [req for req in builder.build_system_requires if any(build.check_dependency(req))]
    if unmet:
        log(
            f"build backend requirements not installed here ({', '.join(sorted(unmet))}); "
            "using an isolated build environment (needs the package index)"
        )
        return True
    return False


def build_own_wheel() -> Path:
    if not (ROOT / "pyproject.toml").exists():
        raise BuildError("pyproject.toml not found at the repo root; cannot build our wheel")
    try:
        import build  # noqa: F401
    except ImportError:
        raise BuildError(
            "pypa/build is not installed: pip install -r scripts/requirements-build.txt"
        ) from None

    files = project_files()
    digest = _digest(files)
    cache_dir = OWN_WHEEL_CACHE / digest
    cached = sorted(cache_dir.glob("*.whl")) if cache_dir.is_dir() else []
    if len(cached) == 1:
        log(f"our wheel unchanged; reusing {cached[0].name}")
        return cached[0]

    log(f"building our wheel from {len(files)} project files")
    with tempfile.TemporaryDirectory(prefix="ttd-wheel-") as tmp:
        src = Path(tmp) / "src"
        out = Path(tmp) / "out"
        for rel in files:
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
        cmd = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out)]
        if not _needs_isolation(src):
            cmd.append("--no-isolation")
        cmd.append(str(src))
        # Fixed zip timestamps make the wheel (and so the service worker's
        # cache name) identical for identical sources.
        env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "315532800")}
        res = subprocess.run(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        if res.returncode != 0:
            sys.stderr.write(res.stdout)
            raise BuildError(
                f"`python -m build --wheel` failed (exit {res.returncode}); output above"
            )
        wheels = sorted(out.glob("*.whl"))
        if len(wheels) != 1:
            raise BuildError(
                f"expected one wheel from python -m build, got {[w.name for w in wheels]}"
            )
        wheel = wheels[0]
        if not wheel.name.endswith("-py3-none-any.whl"):
            raise BuildError(f"our wheel must be pure Python (py3-none-any), got {wheel.name}")
        shutil.rmtree(OWN_WHEEL_CACHE, ignore_errors=True)  # keep only the current build
        cache_dir.mkdir(parents=True)
        final = cache_dir / wheel.name
        shutil.copyfile(wheel, final)
    log(f"built {final.name}")
    return final
