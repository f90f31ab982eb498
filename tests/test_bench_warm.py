"""The bench's warm start: our reloads beside the bare runtime loaded again, and their ratio."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from bench.collect import warm_summary  # noqa: E402
from bench.table import _page_rows  # noqa: E402


def rows(w):
    return {r[0]: r for r in _page_rows({}, w, {})}


def test_the_warm_row_shows_its_ratio_to_the_bare_runtime_loaded_again():
    w = warm_summary({"ours": [3.0, 4.5, 3.3], "bare": [2.9, 3.0, 4.0]})
    assert w["ready_warm_s"]["median"] == 3.3 and w["bare_warm_s"]["median"] == 3.0
    assert abs(w["ready_warm_x_bare"]["median"] - 1.1) < 1e-12
    r = rows(w)
    bare = "bare Pyodide + numpy boot, loaded again (the browser's caches)"
    assert r[bare][3] == "3.00 s (2.90–4.00)"
    assert r["Python ready, warm (service worker)"][1:] == (
        "≤ 2.5 s", "—", "3.30 s (3.00–4.50); 1.10 × bare, loaded again")


def test_a_side_without_runs_gives_no_ratio_and_a_dash():
    w = warm_summary({"ours": [3.0], "bare": []})
    assert w["bare_warm_s"] is None and w["ready_warm_x_bare"] is None
    r = rows(w)
    assert r["bare Pyodide + numpy boot, loaded again (the browser's caches)"][3] == "—"
    assert r["Python ready, warm (service worker)"][3] == "3.00 s"
