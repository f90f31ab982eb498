"""The bench's Lighthouse summary: medians over runs, each run's score and observed paint."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from bench.lighthouse import summarise  # noqa: E402
from bench.table import _lighthouse_rows  # noqa: E402


def report(perf, fcp_sim, fcp_seen, cls=0.0):
    """A Lighthouse JSON report cut down to the fields the bench reads."""
    metric = {"first-contentful-paint": fcp_sim, "largest-contentful-paint": 2 * fcp_sim,
              "total-blocking-time": 50.0, "speed-index": fcp_sim + 100}
    return {"lighthouseVersion": "13.5.0",
            "categories": {"performance": {"score": perf}, "accessibility": {"score": 1},
                           "best-practices": {"score": 1}, "seo": {"score": 0.92}},
            "audits": {**{k: {"numericValue": v} for k, v in metric.items()},
                       "cumulative-layout-shift": {"numericValue": cls},
                       "metrics": {"details": {"items": [
                           {"observedFirstContentfulPaint": fcp_seen}]}}}}


def test_the_summary_is_the_median_of_the_runs_and_keeps_each_runs_score():
    s = summarise([report(0.66, 2500.0, 1250), report(0.98, 1000.0, 220),
                   report(0.81, 2000.0, 1230)])
    scores = (s["performance"], s["accessibility"], s["best-practices"], s["seo"])
    assert scores == (81, 100, 100, 92)
    assert s["performance_runs"] == [66, 98, 81]
    assert s["observed_fcp_ms"] == [1250, 220, 1230]
    assert s["metrics_ms"]["first-contentful-paint"] == 2000.0
    assert s["metrics_ms"]["largest-contentful-paint"] == 4000.0
    assert (s["runs"], s["cls"], s["lighthouse"]) == (3, 0.0, "13.5.0")


def test_the_rows_name_the_target_the_median_and_every_run():
    rows = _lighthouse_rows(summarise([report(0.66, 2500.0, 1250), report(0.98, 1000.0, 220),
                                       report(0.81, 2000.0, 1230)]))
    assert all(len(r) == 4 for r in rows)
    scores, cls, simulated, observed = rows
    assert "median of 3" in scores[0] and scores[1] == "100 each"
    assert scores[3] == "81 / 100 / 100 / 92 (performance in each run: 66, 98, 81)"
    assert cls[1:] == ("0", "—", "0.000")
    assert simulated[3] == "2.0 s / 4.0 s / 0.1 s / 2.1 s"
    assert observed[3] == "1.25 s / 0.22 s / 1.23 s"


def test_a_run_that_could_not_start_is_reported_not_hidden():
    rows = _lighthouse_rows({"error": "lighthouse is not installed: run npm ci"})
    assert rows == [("Lighthouse (mobile)", "—", "—",
                     "not run: lighthouse is not installed: run npm ci")]


def test_the_diagnostic_run_is_a_row_of_its_own_naming_its_flags():
    lh = summarise([report(0.77, 2500.0, 1250), report(0.79, 2400.0, 1230)])
    lh["diagnostic"] = {"flags": "--disable-features=PaintHolding",
                        **summarise([report(0.92, 1100.0, 300), report(0.95, 1000.0, 250),
                                   report(0.93, 1050.0, 280)])}
    rows = _lighthouse_rows(lh)
    assert len(rows) == 5
    what, _, _, measured = rows[-1]
    assert "--disable-features=PaintHolding" in what
    assert measured == "93 (runs: 92, 95, 93), 0.000, 0.30, 0.25, 0.28 s"
    lh["diagnostic"] = {"flags": "--x", "error": "chromium crashed"}
    assert _lighthouse_rows(lh)[-1][3] == "not run: chromium crashed"
