"""The local pool: results of every task come back; a dead worker is an error, not a hang."""

from __future__ import annotations

import os
import re
import signal

import pytest

from hwsim.dse.executors import ExecutorKind, LocalPool, make_executor
from hwsim.errors import HwsimError


def _square(value: int) -> int:
    return value * value


def _die(value: int) -> int:
    if value == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return value


def test_every_result_comes_back_once():
    with LocalPool(2) as pool:
        assert sorted(pool.imap_unordered(_square, range(20))) == [v * v for v in range(20)]


def test_a_killed_worker_stops_the_sweep_with_a_sentence():
    message = (r"^a worker process died \(killed or out of memory\); the results stored so far are kept, "
               r"continue with --resume$")
    with pytest.raises(HwsimError, match=message):
        with LocalPool(2) as pool:
            list(pool.imap_unordered(_die, range(8)))


def test_bad_options_are_sentences():
    with pytest.raises(HwsimError, match=r"^--workers must be at least 1, got 0$"):
        make_executor(ExecutorKind.LOCAL, workers=0)
    with pytest.raises(HwsimError, match=re.escape("--scheduler is only used with --executor dask")):
        make_executor(ExecutorKind.LOCAL, scheduler="tcp://127.0.0.1:8786")
