"""Make sure the browser tests have a Chromium: the system one if found, else Playwright's.

Prints which one will be used. On Debian: `apt-get install chromium` (what CI does).
"""
import shutil
import subprocess
import sys

NAMES = ("chromium", "chromium-browser", "google-chrome")


def main() -> int:
    for name in NAMES:
        path = shutil.which(name)
        if path:
            print(f"[test] using the system Chromium: {path}")
            return 0
    print("[test] no system Chromium found; installing Playwright's own Chromium")
    r = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"])
    if r.returncode:
        print("[test] could not install a Chromium. Install one (Debian: apt-get install "
              "chromium) or run `python -m playwright install chromium`.", file=sys.stderr)
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
