"""Split the DSP pool over the pipeline's machines.

The pipeline's throughput is set by its slowest machine (the critical path of the flow
shop).  ``critical_path`` balancing starts every machine with one DSP group and gives each
further group to the machine whose total time over the expected jobs is the largest; this
greedy recursion minimises the bottleneck because a machine's time never grows with more
DSPs.  ``even`` gives every machine the same share.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from hwsim.errors import SimulationError
from hwsim.spec.attention import AttentionSpec, StageBalancing

# machine index, DSP count -> that machine's total cycles over the expected jobs
MachineTime = Callable[[int, int], float]


def allocate_dsp(spec: AttentionSpec, machines: int, machine_time: MachineTime) -> tuple[int, ...]:
    """DSPs per machine; their sum never exceeds ``spec.dsp_pool.dsp``."""
    pool = spec.dsp_pool
    group = pool.group_dsp
    groups = pool.dsp // group
    if groups < machines:
        raise SimulationError(
            f"arch '{spec.name}': dsp_pool.dsp = {pool.dsp} gives fewer than one group of {group} DSPs "
            f"to each of the {machines} pipeline stages"
        )
    if spec.scheduling.stage_balancing is StageBalancing.EVEN:
        return tuple([groups // machines * group] * machines)
    alloc = np.ones(machines, dtype=np.int64)
    times = np.array([machine_time(m, group) for m in range(machines)], dtype=np.float64)
    for _ in range(groups - machines):
        critical = int(np.argmax(times))
        alloc[critical] += 1
        times[critical] = machine_time(critical, int(alloc[critical]) * group)
    return tuple(int(a) * group for a in alloc)
