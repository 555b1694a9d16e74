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
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from rich.console import Console

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


def _progress(console: Console | None, expected_s: float | None, began: float) -> Any:
    """A transient spinner line on ``console`` (stderr by default), or None off a terminal.

    rich is imported here, when a step has already lasted ``delay_s``: a quick step (most
    simulations) never pays for its import.
    """
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn
    from rich.text import Text

    class EtaColumn(ProgressColumn):
        """Time since the step began (not since the line appeared) and the time left."""

        def render(self, task: Task) -> Text:
            return Text(eta_text(time.monotonic() - began, expected_s), style="progress.remaining")

    console = console if console is not None else Console(stderr=True)
    if not console.is_terminal:
        return None
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), EtaColumn(), console=console, transient=True)


@contextmanager
def activity(label: str, expected_s: float | None = None, *, console: Console | None = None,
             delay_s: float = DELAY_S) -> Iterator[None]:
    """Show ``label`` with elapsed time and ETA while the block runs (see the module docstring)."""
    began = time.monotonic()
    lock = threading.Lock()
    state: dict[str, Any] = {"progress": None, "done": False}

    def show() -> None:
        progress = _progress(console, expected_s, began)
        with lock:
            if progress is not None and not state["done"]:
                progress.start()
                progress.add_task(label, total=None)
                state["progress"] = progress

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
            if state["progress"] is not None:
                state["progress"].stop()
        if timer.is_alive() and timer is not threading.current_thread():
            timer.join()  # a line being set up as the step ended: let it finish, unshown
