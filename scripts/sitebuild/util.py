"""Small shared helpers: logging, hashing, copying."""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path


def log(msg: str) -> None:
    print(f"[site] {msg}", flush=True)


def warn(msg: str) -> None:
    print(f"[site] WARNING: {msg}", file=sys.stderr, flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_file(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file + rename so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def rel_posix(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix()
