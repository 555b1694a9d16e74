"""Progress lines: counts, rate and ETA from an injected clock."""

from __future__ import annotations

import io

from hwsim.dse.progress import Progress, format_duration, format_progress


def test_durations():
    assert [format_duration(s) for s in (0, 59.4, 75.2, 3725, float("inf"), float("nan"))] == [
        "0:00", "0:59", "1:15", "1:02:05", "?", "?"]


def test_rate_and_eta():
    assert format_progress(30, 120, 10.0) == "sweep: 30/120 points (25%), 3.00 points/s, elapsed 0:10, ETA 0:30"
    assert format_progress(0, 5, 0.0) == "sweep: 0/5 points (0%), 0.00 points/s, elapsed 0:00, ETA ?"
    assert format_progress(5, 5, 2.0, errors=1).startswith("sweep: 5/5 points (100%, 1 failed)")


def test_lines_are_throttled_but_the_last_is_always_written():
    now = [0.0]
    out = io.StringIO()
    progress = Progress(10, out, interval_s=5.0, clock=lambda: now[0])
    for step in range(10):
        now[0] = step + 1.0
        progress.update(1)
    lines = out.getvalue().splitlines()
    # t=1 (first), t=6 (5 s later), t=10 (done)
    assert lines == ["sweep: 1/10 points (10%), 1.00 points/s, elapsed 0:01, ETA 0:09",
                     "sweep: 6/10 points (60%), 1.00 points/s, elapsed 0:06, ETA 0:04",
                     "sweep: 10/10 points (100%), 1.00 points/s, elapsed 0:10, ETA 0:00"]
