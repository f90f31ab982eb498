"""The lab bench's pure helpers: the long-task split by self time, and the table rows."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from bench.lab_profile import _self_times  # noqa: E402
from bench.lab_table import lab_rows  # noqa: E402
from bench.util import summary  # noqa: E402


def test_self_times_split_nested_events_without_double_counting():
    # RunTask 100 ms > FunctionCall 60 ms > Layout 20 ms (forced), then Paint 30 ms
    ev = [{"name": "RunTask", "ts": 0, "dur": 100_000},
          {"name": "FunctionCall", "ts": 0, "dur": 60_000},
          {"name": "Layout", "ts": 10_000, "dur": 20_000},
          {"name": "Paint", "ts": 60_000, "dur": 30_000}]
    got = _self_times(ev)
    assert got == {"other": 10.0, "script": 40.0, "style and layout": 20.0, "paint": 30.0}
    assert sum(got.values()) == 100.0


def test_lab_rows_show_dashes_when_nothing_was_measured():
    rows = lab_rows({}, {})
    assert rows and all(len(r) == 4 for r in rows)
    assert all(r[2] == "—" and r[3] == "—" for r in rows)


def test_lab_rows_give_browser_time_with_its_worker_part():
    case = {"ms": summary([40.0, 60.0, 50.0]), "worker_ms": summary([30.0, 35.0, 32.0]),
            "longtask_ms": summary([0, 0, 0]), "detail": [{}]}
    rows = dict((r[0], r) for r in lab_rows({"fill": summary([20.0])}, {"fill": case}))
    fill = next(r for k, r in rows.items() if k.startswith("Fill in"))
    assert fill[1] == "≤ 100 ms"
    assert fill[2] == "20.0 ms"
    assert fill[3].startswith("50 ms (40–60); worker 32 ms (30–35)")


def test_the_bench_plots_quality_with_the_pages_default_names_per_cell():
    import re

    from bench.lab import QUALITY_N

    html = (Path(__file__).resolve().parents[1] / "site" / "index.html").read_text(encoding="utf-8")
    menu = re.search(r'<select id="quality-n">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\d+)" selected>', menu) == [str(QUALITY_N)]
    assert f"{QUALITY_N} names per cell" in " ".join(r[0] for r in lab_rows({}, {}))
