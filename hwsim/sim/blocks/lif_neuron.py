"""Cycle model of ``rtl/lif_neuron.py``: one neuron, one input beat per cycle, one fire cycle per step.

The single neuron integrates a beat in the cycle it is accepted (no weight memory, so no
pipeline), then fires, resets, leaks for the next step and emits its output in one cycle.  It is
the core's timing with ``P = N = 1`` and one fire cycle: see :mod:`hwsim.sim.blocks.snn_core`.
"""

from __future__ import annotations

import numpy as np

from hwsim.sim.blocks.snn_core import SETUP_CYCLES, SnnCoreTiming, step_cycles as core_step_cycles

FIRE_CYCLES = 1
"""Per step: fire + reset + leak + output beat (the last input beat was integrated when accepted)."""

EMPTY_STEP_CYCLES = 1 + FIRE_CYCLES
"""Event-driven step with no input: the marker beat, then the fire cycle."""


def neuron_timing(event_driven: bool) -> SnnCoreTiming:
    """The neuron's timing in the core's terms (one unit, one neuron)."""
    return SnnCoreTiming(1, event_driven, FIRE_CYCLES, EMPTY_STEP_CYCLES, SETUP_CYCLES)


def step_cycles(active_inputs: np.ndarray, *, inputs: int, event_driven: bool) -> np.ndarray:
    """int64 cycles of each step of one neuron with ``inputs`` synapses (see the core's ``step_cycles``)."""
    return core_step_cycles(active_inputs, inputs=inputs, neurons=1, timing=neuron_timing(event_driven))
