"""Read the official pyodide-lock.json and write ours (official + our wheel).

Our lock keeps only the packages the site ships: our wheel and the closure of
its dependencies (numpy). Every `file_name` is relative, so Pyodide resolves
it against `indexURL` and nothing is requested from another origin.
"""

from __future__ import annotations

from pathlib import Path

from .config import NODE_MODULES, BuildError
from .pyodide_wheels import LockedWheel
from .util import warn

OFFICIAL_LOCK = NODE_MODULES / "pyodide" / "pyodide-lock.json"


def load_official_lock(pyodide_version: str):
    from pyodide_lock import PyodideLockSpec  # pinned in scripts/requirements-build.txt

    spec = PyodideLockSpec.from_json(OFFICIAL_LOCK)
    if spec.info.version != pyodide_version:
        raise BuildError(
            f"{OFFICIAL_LOCK} is for Pyodide {spec.info.version}, expected {pyodide_version}"
        )
    return spec


def add_own_wheel(official, wheel_path: Path, index_dir: Path):
    """Return (lock spec with our wheel added and pruned, our package's name)."""
    from pyodide_lock.utils import add_wheels_to_spec

    spec = add_wheels_to_spec(official, [wheel_path], base_path=index_dir, base_url="")
    ours = next(n for n in spec.packages if n not in official.packages)
    pkg = spec.packages[ours]
    if "numpy" not in pkg.depends:
        warn(f"{wheel_path.name} does not declare numpy as a dependency; adding it to the lock")
        pkg.depends.append("numpy")
    keep = dependency_closure(spec, ours)
    spec.packages = {name: spec.packages[name] for name in sorted(keep)}
    return spec, ours


def dependency_closure(spec, root: str) -> set[str]:
    seen: set[str] = set()
    todo = [root]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in spec.packages:
            raise BuildError(f"package {name!r} is not in pyodide-lock.json")
        seen.add(name)
        todo.extend(spec.packages[name].depends)
    return seen


def official_wheels(spec, names: set[str]) -> list[LockedWheel]:
    return [
        LockedWheel(name=n, file_name=spec.packages[n].file_name, sha256=spec.packages[n].sha256)
        for n in sorted(names)
    ]
