"""Progress of a step that can take long (a Verilator build, numba compiling, a big simulation).

:func:`activity` shows, on a terminal only, a spinner with the step, the time so far and, when
the step's usual duration is known, the time left ("12 s, about 8 s left").  It appears only
after ``delay_s``, so quick steps print nothing; it is transient (the line goes when the step
ends); logs, pipes and CI output stay clean.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn
from rich.text import Text

DELAY_S = 1.5  # a step shorter than this shows nothing


def eta_text(elapsed_s: float, expected_s: float | None) -> str:
    """``"12 s, about 8 s left"``; without an expected duration only the time so far."""
    so_far = f"{elapsed_s:.0f} s"
    if expected_s is None or expected_s <= 0:
        return so_far
    if elapsed_s < expected_s:
        return f"{so_far}, about {max(1.0, expected_s - elapsed_s):.0f} s left"
    return f"{so_far}, longer than the {expected_s:.0f} s it usually takes"


def steps_left_text(done: int, total: int, elapsed_s: float) -> str:
    """``", about 8 s left"`` after ``done`` of ``total`` equal-ish steps took ``elapsed_s``; empty when done."""
    if done <= 0 or done >= total:
        return ""
    return f", about {max(1.0, elapsed_s / done * (total - done)):.0f} s left"


class _EtaColumn(ProgressColumn):
    """Time since the step began (not since the line appeared) and the time left."""

    def __init__(self, expected_s: float | None, began: float) -> None:
        super().__init__()
        self.expected_s, self.began = expected_s, began

    def render(self, task: Task) -> Text:
        return Text(eta_text(time.monotonic() - self.began, self.expected_s), style="progress.remaining")


@contextmanager
def activity(label: str, expected_s: float | None = None, *, console: Console | None = None,
             delay_s: float = DELAY_S) -> Iterator[None]:
    """Show ``label`` with elapsed time and ETA while the block runs (see the module docstring)."""
    console = console if console is not None else Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), _EtaColumn(expected_s, time.monotonic()),
                        console=console, transient=True)
    lock = threading.Lock()
    state = {"started": False, "done": False}

    def show() -> None:
        with lock:
            if not state["done"]:
                progress.start()
                progress.add_task(label, total=None)
                state["started"] = True

    timer = threading.Timer(delay_s, show)
    timer.daemon = True
    if delay_s <= 0:
        show()
    else:
        timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["started"]:
                progress.stop()
