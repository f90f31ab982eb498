"""Make sure the browser tests have a Chromium, before any test runs.

1. a Chromium on the PATH (or named by $CHROMIUM) is used as it is;
2. otherwise, when running as root on a machine with apt-get, Debian's
   ``chromium`` is installed (``apt-get install chromium``);
3. otherwise it stops with one line saying what to install.

Playwright drives this system Chromium; its own browser download is never used
(it cannot be fetched on machines without general internet access).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

NAMES = ("chromium", "chromium-browser", "google-chrome")


def find() -> str | None:
    env = os.environ.get("CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def apt_install(pkg: str) -> bool:
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        return False
    print(f"[test] no Chromium found; installing Debian's {pkg} with apt-get", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", pkg]):
        if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode:
            return False
    return True


def main() -> int:
    path = find()
    if path is None and apt_install("chromium"):
        path = find()
    if path is None:
        print("[test] no Chromium found: install one (Debian: sudo apt-get install chromium) "
              "or set CHROMIUM=/path/to/chromium, then run make test again.", file=sys.stderr)
        return 1
    print(f"[test] using the system Chromium: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
