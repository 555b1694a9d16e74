"""The coarse-grained pipeline as a flow shop: job j on machine m starts when machine m is
free (job j-1 left it) and job j left machine m-1; a job's first machine also waits for the
same sequence's previous pass (the previous layer) to leave the last machine.
"""

from __future__ import annotations

import numpy as np
from hwsim.jit import njit


@njit(cache=True)
def flow_shop_finish(times: np.ndarray, previous_pass: np.ndarray) -> np.ndarray:
    """Finish cycle of every (job, machine); ``times`` is int64 [jobs, machines].

    ``previous_pass[j]`` is the job that must have left the last machine before job j enters
    the first one (-1: none).  Zero-time entries pass through without waiting for the machine.
    """
    jobs, machines = times.shape
    finish = np.zeros((jobs, machines), dtype=np.int64)
    free = np.zeros(machines, dtype=np.int64)
    for j in range(jobs):
        ready = np.int64(0)
        if previous_pass[j] >= 0:
            ready = finish[previous_pass[j], machines - 1]
        for m in range(machines):
            t = times[j, m]
            if t > 0:
                start = max(ready, free[m])
                ready = start + t
                free[m] = ready
            finish[j, m] = ready
    return finish
