"""Cycle model of ``rtl/snn_core.py``: P neuron units time-multiplexed over a layer, per time step.

The core holds one layer of ``N`` neurons in ``G = ceil(N / P)`` groups of ``P`` physical
neuron units.  A time step runs group after group; for each group the core

1. takes the step's input beats, one per cycle: every beat reads one weight-memory row (the
   ``P`` weights of that input for the group) and updates all ``P`` units in one cycle; a
   multi-threshold input value ``x in 1..K`` costs ``w * x`` by shift/add in that same cycle.
   Event-driven, the beats are the active inputs (``x != 0``) only, and a step with none is a
   single end-of-step marker beat; clock-driven, every input index is scanned;
2. spends :data:`FIRE_CYCLES` more: one to finish the last beat's (pipelined) integration, one
   to fire, reset, leak for the next step, and emit the group's spikes.

Group 0 reads the beats from the input stream and keeps them; later groups replay them from
that buffer at the same rate.  Clearing the state once per inference is one control beat
(:data:`SETUP_CYCLES`), since the membrane rows carry a valid bit cleared in one cycle.

These functions are the contract the SNN engine (``hwsim/sim/snn/``) and the RTL testbench
both use; the RTL is checked against them cycle for cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIRE_CYCLES = 2
"""Per step and group after the input beats: drain the weight-read pipeline, then fire/reset/leak/output."""

EMPTY_STEP_CYCLES = 1 + FIRE_CYCLES
"""Event-driven, per group, for a step with no active input: the marker beat, then the fire phase."""

SETUP_CYCLES = 1
"""Once per inference: the clear beat (all membrane rows invalidated in one cycle)."""


@dataclass(frozen=True)
class SnnCoreTiming:
    """Timing parameters of one SNN core.

    Attributes
    ----------
    parallel_neurons
        Physical neuron units ``P``; a layer of ``N`` neurons runs in ``G = ceil(N / P)`` groups.
    event_driven
        True: only active inputs (``x != 0``) cost cycles; False: every input index is scanned.
    fire_cycles
        Per step and group: leak + fire + reset + spike output (after the input beats).
    empty_step_cycles
        Event-driven only: a step with no active input costs this (per group) instead of the
        input phase + fire.
    setup_cycles
        Once per inference (state reset).
    """

    parallel_neurons: int
    event_driven: bool
    fire_cycles: int = FIRE_CYCLES
    empty_step_cycles: int = EMPTY_STEP_CYCLES
    setup_cycles: int = SETUP_CYCLES

    def __post_init__(self) -> None:
        if self.parallel_neurons < 1:
            raise ValueError(f"parallel_neurons = {self.parallel_neurons}: expected >= 1")
        for name in ("fire_cycles", "empty_step_cycles", "setup_cycles"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} = {getattr(self, name)}: expected >= 0")


def groups(neurons: int, parallel_neurons: int) -> int:
    """``G = ceil(neurons / parallel_neurons)``: how many passes one step makes over the units."""
    if neurons < 1:
        raise ValueError(f"neurons = {neurons}: expected >= 1")
    return -(-neurons // parallel_neurons)


def active_inputs(x: np.ndarray) -> np.ndarray:
    """Active inputs per step: ``x`` (T, C) per-step input values -> (T,) int64 count of ``x != 0``."""
    return np.count_nonzero(np.asarray(x).reshape(np.shape(x)[0], -1), axis=1).astype(np.int64)


def step_beats(active: np.ndarray, *, inputs: int, event_driven: bool) -> np.ndarray:
    """Input beats one group takes per step: active inputs (or 1 marker if none), or all inputs."""
    active = np.asarray(active, dtype=np.int64)
    if event_driven:
        return np.maximum(active, 1)
    return np.full(active.shape, inputs, dtype=np.int64)


def step_cycles(active_inputs: np.ndarray, *, inputs: int, neurons: int, timing: SnnCoreTiming) -> np.ndarray:
    """int64 cycles of each time step; ``active_inputs[t]`` = number of inputs with ``x != 0`` at step t.

    Event-driven: ``G * (active + fire_cycles)`` if ``active > 0`` else ``G * empty_step_cycles``;
    clock-driven: ``G * (inputs + fire_cycles)``.
    """
    active = np.asarray(active_inputs, dtype=np.int64)
    if active.size and (active.min() < 0 or active.max() > inputs):
        raise ValueError(f"active inputs must lie in 0..{inputs}, got {int(active.min())}..{int(active.max())}")
    g = groups(neurons, timing.parallel_neurons)
    if timing.event_driven:
        per_group = np.where(active > 0, active + timing.fire_cycles, timing.empty_step_cycles)
    else:
        per_group = np.full(active.shape, inputs + timing.fire_cycles, dtype=np.int64)
    return (g * per_group).astype(np.int64)


def inference_cycles(active_inputs: np.ndarray, *, inputs: int, neurons: int, timing: SnnCoreTiming) -> int:
    """``setup_cycles + step_cycles(...).sum()``: cycles of one inference (all its time steps)."""
    return int(timing.setup_cycles + step_cycles(active_inputs, inputs=inputs, neurons=neurons, timing=timing).sum())


def weight_row_reads(active_inputs: np.ndarray, *, inputs: int, neurons: int, timing: SnnCoreTiming) -> int:
    """Weight-memory row reads of an inference (one per input beat per group; markers read none)."""
    active = np.asarray(active_inputs, dtype=np.int64)
    g = groups(neurons, timing.parallel_neurons)
    per_step = active if timing.event_driven else np.full(active.shape, inputs, dtype=np.int64)
    return int(g * per_step.sum())
