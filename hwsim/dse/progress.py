"""Progress and ETA of a running sweep, written to a stream (stderr by the CLI)."""

from __future__ import annotations

import time
from typing import Callable, TextIO


def format_duration(seconds: float) -> str:
    """``75.2`` -> ``"1:15"``, ``3725`` -> ``"1:02:05"``; unknown (inf/NaN) -> ``"?"``."""
    if seconds != seconds or seconds == float("inf"):
        return "?"
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_progress(done: int, total: int, elapsed_s: float, errors: int = 0) -> str:
    """One progress line: count, percentage, rate and the time left at that rate."""
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    eta = (total - done) / rate if rate > 0 else float("inf")
    pct = 100.0 * done / total if total else 100.0
    failed = f", {errors} failed" if errors else ""
    return (f"sweep: {done}/{total} points ({pct:.0f}%{failed}), {rate:.2f} points/s, "
            f"elapsed {format_duration(elapsed_s)}, ETA {format_duration(eta if done < total else 0.0)}")


class Progress:
    """Prints progress at most every ``interval_s`` (on a terminal: rewrites one line).

    Parameters
    ----------
    total
        Points to run in this invocation (already stored points are not counted).
    stream
        Where to write; nothing is written when None.
    clock
        Seconds, monotonic; injectable for tests.
    """

    def __init__(self, total: int, stream: TextIO | None, *, interval_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.done = 0
        self.errors = 0
        self._stream = stream
        self._tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self._interval_s = interval_s if interval_s is not None else (0.2 if self._tty else 5.0)
        self._clock = clock
        self._start = clock()
        self._last = float("-inf")

    @property
    def elapsed_s(self) -> float:
        return self._clock() - self._start

    def update(self, done: int, errors: int = 0) -> None:
        """Count ``done`` more points, ``errors`` of which failed."""
        self.done += done
        self.errors += errors
        now = self._clock()
        if now - self._last >= self._interval_s or self.done >= self.total:
            self._last = now
            self._emit()

    def finish(self) -> None:
        """End the progress line (on a terminal the line is kept)."""
        if self._stream is not None and self._tty:
            self._stream.write("\n")
            self._stream.flush()

    def _emit(self) -> None:
        if self._stream is None:
            return
        line = format_progress(self.done, self.total, self.elapsed_s, self.errors)
        self._stream.write(f"\r{line}\x1b[K" if self._tty else line + "\n")
        self._stream.flush()
