"""pieces.run_chunks: a piece keeps to its time, on a clock the test moves by hand."""

from __future__ import annotations

import pytest

from diffusion_core.pieces import run_chunks


class Job:
    """``n`` chunks of the given durations (seconds; the last one repeats)."""

    def __init__(self, n: int, durations: list[float]):
        self.now, self.left, self.durations, self.ran = 0.0, n, durations, []

    def clock(self) -> float:
        return self.now

    def step(self) -> bool:
        d = self.durations[min(len(self.ran), len(self.durations) - 1)]
        self.now += d
        self.ran.append(d)
        self.left -= 1
        return self.left == 0


def test_a_piece_stops_before_a_chunk_that_would_pass_its_time():
    job = Job(100, [0.007])
    assert run_chunks(job.step, 0.025, job.clock) is False
    # 3 chunks end at 21 ms; a 4th as long would end at 28 ms, past 25 ms
    assert len(job.ran) == 3 and job.now == pytest.approx(0.021)


def test_on_steady_chunks_a_piece_never_passes_its_time():
    for ms in (1, 3, 7, 11, 24):
        job = Job(1000, [ms / 1000])
        run_chunks(job.step, 0.025, job.clock)
        assert job.now <= 0.025 + 1e-12, ms


def test_the_first_chunk_always_runs_so_every_piece_makes_progress():
    job = Job(5, [0.040])  # one chunk is longer than the whole piece
    assert run_chunks(job.step, 0.025, job.clock) is False
    assert len(job.ran) == 1


def test_a_chunk_slower_than_the_last_can_still_overrun_by_the_difference():
    job = Job(100, [0.005, 0.005, 0.005, 0.012])
    run_chunks(job.step, 0.025, job.clock)
    # at 15 ms a 5 ms chunk would end at 20 ms, so a 4th runs; it takes 12 ms: 27 ms
    assert job.ran == [0.005, 0.005, 0.005, 0.012] and job.now == pytest.approx(0.027)


def test_done_ends_the_piece_and_none_runs_to_the_end():
    job = Job(4, [0.001])
    assert run_chunks(job.step, 10.0, job.clock) is True and len(job.ran) == 4
    job = Job(50, [1.0])
    assert run_chunks(job.step, None, job.clock) is True and len(job.ran) == 50
