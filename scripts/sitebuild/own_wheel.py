"""Build our pure-Python wheel (diffusion_core) with pypa/build.

The project files (pyproject.toml, README/LICENSE, the package folder) are
copied to a temporary folder and built there, so the repo root gets no
build/ or *.egg-info litter and stale build/lib files can't leak into the
wheel. The result is cached under .cache/own-wheel/<digest>/, keyed on the
content of exactly those files, so an unchanged tree needs no rebuild (and no
network, even if the build backend would have to be downloaded).

The wheel also carries bytecode compiled by Pyodide's own Python 3.12 (run
under Node.js from node_modules/pyodide, :data:`COMPILER`): unchecked-hash .pyc
files (PEP 552, no timestamps) in ``__pycache__``, so the browser imports our
package without compiling it first. Python 3.11 and other CPythons ignore a
cpython-312 cache they cannot use, and CPython 3.12 would only ever trust it for
unchanged sources (the wheel is rebuilt whenever a source changes).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .config import (
    NODE_MODULES,
    OWN_WHEEL_CACHE,
    PACKAGE_IMPORT_NAME,
    PACKAGE_META_GLOBS,
    ROOT,
    BuildError,
)
from .util import log

COMPILER = Path(__file__).with_name("compile_pyc.mjs")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
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
    h.update(COMPILER.read_bytes())  # a new compile step is a new wheel
    return h.hexdigest()[:20]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def compile_bytecode(wheel: Path) -> int:
    """Add Pyodide-compiled unchecked-hash .pyc files to ``wheel`` in place; returns how many.

    The zip is rewritten with sorted entries, fixed times and a new RECORD, so the
    same sources give the same bytes.
    """
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "pyodide" / "pyodide.asm.wasm").exists():
        raise BuildError("compiling our bytecode needs Node.js and node_modules/pyodide (npm ci)")
    with zipfile.ZipFile(wheel) as z:
        entries = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
    sources = sorted(n for n in entries if n.endswith(".py")
                     and n.startswith(PACKAGE_IMPORT_NAME + "/"))
    with tempfile.TemporaryDirectory(prefix="ttd-pyc-") as tmp:
        src, out = Path(tmp) / "src", Path(tmp) / "out"
        for n in sources:
            (src / n).parent.mkdir(parents=True, exist_ok=True)
            (src / n).write_bytes(entries[n])
        out.mkdir()
        res = subprocess.run([node, str(COMPILER), str(NODE_MODULES / "pyodide"), str(src),
                              str(out), *sources], capture_output=True, text=True, cwd=ROOT)
        if res.returncode != 0:
            raise BuildError(f"compiling bytecode with Pyodide failed:\n{res.stderr[-2000:]}")
        pycs = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pyc")}
    if len(pycs) != len(sources):
        raise BuildError(f"expected {len(sources)} .pyc files from Pyodide, got {len(pycs)}")
    record = next(n for n in entries if n.endswith(".dist-info/RECORD"))
    entries.pop(record)
    entries.update(pycs)
    names = sorted(entries, key=lambda n: (".dist-info/" in n, n))
    lines = [_record_line(n, entries[n]) for n in names] + [f"{record},,"]
    entries[record] = ("\n".join(lines) + "\n").encode()
    tmp_wheel = wheel.with_suffix(".tmp")
    with zipfile.ZipFile(tmp_wheel, "w") as z:
        for n in [*names, record]:
            info = zipfile.ZipInfo(n, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, entries[n])
    tmp_wheel.replace(wheel)
    return len(pycs)


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
        n = compile_bytecode(wheel)
        log(f"added {n} .pyc files compiled by Pyodide's Python")
        shutil.rmtree(OWN_WHEEL_CACHE, ignore_errors=True)  # keep only the current build
        cache_dir.mkdir(parents=True)
        final = cache_dir / wheel.name
        shutil.copyfile(wheel, final)
    log(f"built {final.name}")
    return final
