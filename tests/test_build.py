"""The build refuses a numpy wheel whose sha256 differs from the official lock."""
import subprocess
import sys

import pytest
from helpers import ROOT

CACHED = ROOT / ".cache" / "wheels"

# Runs build_site.main() with the wheel cache moved to a temp folder and the CDN
# treated as unreachable, so the wheelhouse (tampered or good) is the source.
DRIVER = r"""
import sys, pathlib
sys.path.insert(0, {scripts!r})
import sitebuild.pyodide_wheels as pw
pw.WHEEL_CACHE = pathlib.Path({cache!r})
def no_cdn(*a, **k):
    raise pw._Unavailable("CDN disabled by the test")
pw._from_cdn = no_cdn
pw._from_carrier = lambda *a, **k: (_ for _ in ()).throw(pw._Unavailable("carrier disabled"))
import build_site
sys.exit(build_site.main(["--out", {out!r}]))
"""


def _numpy_wheel():
    found = sorted(CACHED.glob("numpy-*.whl")) if CACHED.exists() else []
    if not found:
        pytest.fail("no cached numpy wheel: run `make site` first (make test does)")
    return found[0]


def _build(tmp_path, wheelhouse, cache):
    code = DRIVER.format(scripts=str(ROOT / "scripts"), cache=str(cache),
                         out=str(tmp_path / "out"))
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={"DIFFUSION_WHEELHOUSE": str(wheelhouse), "PATH": "/usr/bin:/bin",
                               "HOME": str(tmp_path)}, timeout=300)


def test_build_fails_loudly_on_a_tampered_numpy_wheel(tmp_path):
    good = _numpy_wheel()
    house = tmp_path / "house"
    house.mkdir()
    (house / good.name).write_bytes(good.read_bytes() + b"tampered")
    r = _build(tmp_path, house, tmp_path / "cache")
    assert r.returncode != 0
    assert "sha256 mismatch" in r.stderr and good.name in r.stderr
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "cache" / good.name).exists()  # nothing bad is cached


def test_a_corrupted_cache_file_is_detected_and_fetched_again(tmp_path):
    good = _numpy_wheel()
    house, cache = tmp_path / "house", tmp_path / "cache"
    house.mkdir()
    cache.mkdir()
    (house / good.name).write_bytes(good.read_bytes())
    (cache / good.name).write_bytes(good.read_bytes()[:-10] + b"corrupted!")
    r = _build(tmp_path, house, cache)
    assert r.returncode == 0, r.stderr
    assert "corrupt" in r.stderr + r.stdout
    assert (cache / good.name).read_bytes() == good.read_bytes()
    assert (tmp_path / "out" / "pyodide" / good.name).read_bytes() == good.read_bytes()
