"""Where tasks run: a local process pool (default, all cores) or a Dask distributed cluster.

Both give the same interface, a context manager whose ``imap_unordered(fn, tasks)`` yields
each task's result as soon as it is done, in the coordinating process, which alone writes
the store.  Leaving the context with an exception (Ctrl-C included) stops the workers at
once: unfinished tasks are dropped, and a resumed sweep runs them again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from enum import Enum
from typing import Any, Callable, Iterator, Protocol, Sequence

from hwsim.errors import HwsimError
from hwsim.extras import require


class ExecutorKind(str, Enum):
    """The executors ``hwsim sweep --executor`` accepts."""

    LOCAL = "local"
    DASK = "dask"


class Executor(Protocol):
    def __enter__(self) -> "Executor": ...

    def __exit__(self, exc_type, exc, tb) -> None: ...

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]: ...

    @property
    def workers(self) -> int: ...


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_executor_options(kind: ExecutorKind, *, workers: int | None = None, scheduler: str | None = None) -> None:
    """Refuse executor options no executor can take (checked before a sweep creates its store)."""
    if workers is not None and workers < 1:
        raise HwsimError(f"--workers must be at least 1, got {workers}")
    if kind is ExecutorKind.LOCAL and scheduler is not None:
        raise HwsimError("--scheduler is only used with --executor dask")


def make_executor(kind: ExecutorKind, *, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """An executor of ``kind``; ``workers`` defaults to every available core.

    For Dask, ``scheduler`` is the address of a running scheduler (``tcp://host:8786``); without
    it a ``LocalCluster`` of ``workers`` single-threaded worker processes is started on loopback.
    """
    check_executor_options(kind, workers=workers, scheduler=scheduler)
    if kind is ExecutorKind.LOCAL:
        return LocalPool(workers or available_cores())
    return DaskExecutor(scheduler, workers or available_cores())


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group; only the coordinator should react to it, so
    # that workers do not print tracebacks while the pool is being stopped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker waiting on its task queue does not notice a coordinator killed with -9 (it
    # holds the queue's pipe open itself); on Linux the kernel kills it with its parent.
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


class LocalPool:
    """A process pool of ``workers`` processes (forked where the OS allows).

    ``concurrent.futures`` rather than ``multiprocessing.Pool``: when a worker dies (killed,
    out of memory) the pool reports it instead of waiting forever for the lost task.
    """

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    @property
    def workers(self) -> int:
        return self._workers

    def __enter__(self) -> "LocalPool":
        methods = multiprocessing.get_all_start_methods()
        # fork starts in milliseconds with hwsim already imported; spawn re-imports everything.
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ProcessPoolExecutor(self._workers, mp_context=context, initializer=_init_worker)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._pool.shutdown(wait=True)
            return
        _stop_now(self._pool)

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        futures = [self._pool.submit(fn, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BrokenProcessPool:
            raise HwsimError("a worker process died (killed or out of memory); the results stored so far are "
                             "kept, continue with --resume") from None


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Drop queued tasks and kill the running ones instead of letting them finish (Ctrl-C)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    # Before 3.14 the worker processes are reachable only through this attribute, which
    # shutdown() clears: take them first.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Processes started inside inherit an ignored SIGINT, which Python then keeps.

    The LocalCluster's workers are started here, so that Ctrl-C reaches only the coordinator,
    which cancels the tasks and closes the cluster, instead of every worker printing a traceback.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class DaskExecutor:
    """Tasks submitted to a Dask distributed scheduler; results gathered as they complete."""

    def __init__(self, scheduler: str | None, workers: int, *, connect_timeout_s: float = 10.0) -> None:
        self._scheduler = scheduler
        self._connect_timeout_s = connect_timeout_s
        self._workers = workers
        self._cluster: Any = None
        self._client: Any = None
        self._futures: list[Any] = []

    @property
    def workers(self) -> int:
        if self._client is None:
            return self._workers
        return max(1, sum(w.get("nthreads", 1) for w in self._client.scheduler_info()["workers"].values()))

    def __enter__(self) -> "DaskExecutor":
        require("distributed", "the Dask executor")
        from distributed import Client, LocalCluster

        try:
            if self._scheduler is None:
                import dask

                # The workers' statistical profiler samples the task's stack every 10 ms, for a
                # dashboard a sweep does not use; the nannies take this config when created.
                # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's
                # mmap threshold: every large numpy temporary is then mmapped and faulted in
                # afresh, and the mapper's search ran 2x slower than in a plain process.  None
                # unsets it (distributed.nanny._get_env_variables).
                environ = {**dask.config.get("distributed.nanny.pre-spawn-environ"), "MALLOC_TRIM_THRESHOLD_": None}
                quiet = {"distributed.worker.profile.enabled": False, "distributed.nanny.pre-spawn-environ": environ}
                with _sigint_ignored(), dask.config.set(quiet):
                    self._cluster = LocalCluster(n_workers=self._workers, threads_per_worker=1, processes=True,
                                                 host="127.0.0.1", dashboard_address=None,
                                                 silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
            else:
                self._client = Client(self._scheduler, timeout=f"{self._connect_timeout_s}s")
        except (OSError, TimeoutError) as exc:
            self._close()
            where = self._scheduler or "a local cluster"
            raise HwsimError(f"--scheduler {where}: cannot connect ({exc})") from None
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and self._futures:
            self._client.cancel(self._futures, force=True)
        self._close()

    def _close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[Any]:
        from distributed import as_completed

        # pure=False: two equal tasks are still two runs (Dask would otherwise merge them).
        self._futures = self._client.map(fn, list(tasks), pure=False)
        for future in as_completed(self._futures):
            yield future.result()
            future.release()
