"""Cycle model of ``rtl/snn_core.py``: P neuron units time-multiplexed over a layer, per time step.

The core holds one layer of ``N`` neurons in ``G = ceil(N / P)`` groups of ``P`` physical
neuron units.  A time step runs group after group; for each group the core

1. takes the step's input beats, one per cycle: every beat reads one weight-memory row (the
   ``P`` weights of that input for the group) and updates all ``P`` units in one cycle; a
   multi-threshold input value ``x in 1..K`` costs ``w * x`` by shift/add in that same cycle.
   Event-driven, the beats are the active inputs (``x != 0``) only, and a step with none is a
   single end-of-step marker beat; clock-driven, every input index is scanned;
2. spends one more cycle to finish the last beat's (pipelined) integration;
3. with an inhibition scan, in a step after one in which the layer fired, walks the ``N``
   feedback lines (the layer's outputs of the previous step) one per cycle: each line ``j``
   with ``o_j != 0`` subtracts ``inhibition * o_j`` from every other neuron of the group,
   saturating at ``v_min``;
4. spends one cycle to fire, reset, leak for the next step, and emit the group's spikes
   (2 and 4 are :data:`FIRE_CYCLES`).

A step without any input event is one end-of-step marker beat.  Nothing is in flight then (no
weight to read, nothing to drain), so the core fires group 0 in the marker's own cycle and
each later group in one cycle of its own: :data:`EMPTY_STEP_CYCLES` is 1 per group, what
Spiker's ``sample_spikes`` state spends on an empty step.  The fire phase (and so the leak and
the refractory count) still runs in that step.  If the step inhibits, the marker's cycle
instead scans the first feedback line, and the group scans the other ``N - 1`` and fires, so
an empty inhibiting step costs ``1 + N`` per group.  A clock-driven core that skips empty steps
(Spiker) takes the same marker instead of scanning every input.

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

EMPTY_STEP_CYCLES = 1
"""Per group, a step with no active input (event-driven or skipping): the marker beat fires group 0
in its own cycle, every later group fires in one cycle (no beat to read, nothing to drain)."""

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
        A step with no active input costs this (per group) instead of the input phase + fire,
        on a core that skips empty steps (event-driven, or ``skip_empty_steps``).
    setup_cycles
        Once per inference (state reset).
    skip_empty_steps
        Clock-driven only: a step with no active input costs ``empty_step_cycles`` per group
        instead of the scan of every input (an event-driven core always does).
    inhibition_scan
        True: in a step after one in which the layer fired, every group scans the ``N``
        feedback lines, one per cycle, plus ``inhibition_extra_cycles``.  False: such a step
        applies the inhibition as one broadcast of ``inhibition_extra_cycles`` per group
        (0 by default: no inhibition phase at all).
    inhibition_extra_cycles
        Per group and inhibiting step, after the scan (a terminal count) or as the broadcast.
    """

    parallel_neurons: int
    event_driven: bool
    fire_cycles: int = FIRE_CYCLES
    empty_step_cycles: int = EMPTY_STEP_CYCLES
    setup_cycles: int = SETUP_CYCLES
    skip_empty_steps: bool = False
    inhibition_scan: bool = False
    inhibition_extra_cycles: int = 0

    def __post_init__(self) -> None:
        if self.parallel_neurons < 1:
            raise ValueError(f"parallel_neurons = {self.parallel_neurons}: expected >= 1")
        for name in ("fire_cycles", "empty_step_cycles", "setup_cycles", "inhibition_extra_cycles"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} = {getattr(self, name)}: expected >= 0")
        if self.skip_empty_steps and self.event_driven:
            raise ValueError("skip_empty_steps is for a clock-driven core (an event-driven one always skips)")

    @property
    def skips_empty_steps(self) -> bool:
        """A step with no active input costs ``empty_step_cycles`` per group (event-driven, or skipping)."""
        return self.event_driven or self.skip_empty_steps

    @property
    def has_inhibition_phase(self) -> bool:
        """An inhibiting step costs cycles beyond the input and fire phases."""
        return self.inhibition_scan or self.inhibition_extra_cycles > 0


def groups(neurons: int, parallel_neurons: int) -> int:
    """``G = ceil(neurons / parallel_neurons)``: how many passes one step makes over the units."""
    if neurons < 1:
        raise ValueError(f"neurons = {neurons}: expected >= 1")
    return -(-neurons // parallel_neurons)


def active_inputs(x: np.ndarray) -> np.ndarray:
    """Active inputs per step: ``x`` (T, C) per-step input values -> (T,) int64 count of ``x != 0``."""
    return np.count_nonzero(np.asarray(x).reshape(np.shape(x)[0], -1), axis=1).astype(np.int64)


def step_beats(active: np.ndarray, *, inputs: int, event_driven: bool, skip_empty_steps: bool = False) -> np.ndarray:
    """Input beats one group takes per step: active inputs (or 1 marker if none), or all inputs
    (or 1 marker for a step without any, when a clock-driven core skips empty steps)."""
    active = np.asarray(active, dtype=np.int64)
    if event_driven:
        return np.maximum(active, 1)
    if skip_empty_steps:
        return np.where(active > 0, inputs, 1).astype(np.int64)
    return np.full(active.shape, inputs, dtype=np.int64)


def inhibiting_steps(fired: np.ndarray) -> np.ndarray:
    """bool (..., T): step ``t`` applies lateral inhibition, i.e. the layer fired in step ``t - 1``.

    ``fired`` (..., T) counts the neurons with ``o > 0`` per step (any non-negative measure of
    the outputs will do); step 0 never inhibits and the last step's spikes are never fed back.
    """
    fired = np.asarray(fired)
    inhibits = np.zeros(fired.shape, dtype=bool)
    inhibits[..., 1:] = fired[..., :-1] > 0
    return inhibits


def empty_steps(active_inputs: np.ndarray, timing: SnnCoreTiming) -> np.ndarray:
    """bool per step: the step costs only ``empty_step_cycles`` per group (no active input, and the core skips)."""
    active = np.asarray(active_inputs, dtype=np.int64)
    return (active == 0) & timing.skips_empty_steps


def step_cycles(active_inputs: np.ndarray, *, inputs: int, neurons: int, timing: SnnCoreTiming,
                inhibits: np.ndarray | None = None) -> np.ndarray:
    """int64 cycles of each time step; ``active_inputs[t]`` = number of inputs with ``x != 0`` at step t.

    Per group: ``active + fire_cycles`` event-driven, ``inputs + fire_cycles`` clock-driven, or
    ``empty_step_cycles`` for a step with no active input on a core that skips empty steps
    (event-driven, or ``skip_empty_steps``); plus, where ``inhibits[t]`` (the layer fired in
    step ``t - 1``, :func:`inhibiting_steps`), ``neurons + inhibition_extra_cycles`` with an
    inhibition scan or ``inhibition_extra_cycles`` without.  All times ``G``.

    ``inhibits`` (same shape as ``active_inputs``, bool) may be omitted only when the timing has
    no inhibition phase.
    """
    active = np.asarray(active_inputs, dtype=np.int64)
    if active.size and (active.min() < 0 or active.max() > inputs):
        raise ValueError(f"active inputs must lie in 0..{inputs}, got {int(active.min())}..{int(active.max())}")
    g = groups(neurons, timing.parallel_neurons)
    scanned = active if timing.event_driven else np.full(active.shape, inputs, dtype=np.int64)
    per_group = np.where(empty_steps(active, timing), timing.empty_step_cycles, scanned + timing.fire_cycles)
    if inhibits is None:
        if timing.has_inhibition_phase:
            raise ValueError("this timing has an inhibition phase: pass inhibits (which steps follow a firing step)")
    else:
        inhibits = np.asarray(inhibits, dtype=bool)
        if inhibits.shape != active.shape:
            raise ValueError(f"inhibits has shape {inhibits.shape}, the active inputs {active.shape}")
        per_group = per_group + inhibition_cycles_per_group(neurons, timing) * inhibits
    return (g * per_group).astype(np.int64)


def inhibition_cycles_per_group(neurons: int, timing: SnnCoreTiming) -> int:
    """Cycles one group spends on lateral inhibition in an inhibiting step (0 without an inhibition phase)."""
    return (neurons if timing.inhibition_scan else 0) + timing.inhibition_extra_cycles


def inhibition_reads(inhibits: np.ndarray, *, neurons: int, timing: SnnCoreTiming) -> np.ndarray:
    """int64 per step: feedback lines read (scan: ``N`` per group) or broadcasts (1 per group) where ``inhibits``."""
    g = groups(neurons, timing.parallel_neurons)
    per_group = neurons if timing.inhibition_scan else 1
    return (g * per_group * np.asarray(inhibits, dtype=bool)).astype(np.int64)


def inference_cycles(active_inputs: np.ndarray, *, inputs: int, neurons: int, timing: SnnCoreTiming,
                     inhibits: np.ndarray | None = None) -> int:
    """``setup_cycles + step_cycles(...).sum()``: cycles of one inference (all its time steps)."""
    per_step = step_cycles(active_inputs, inputs=inputs, neurons=neurons, timing=timing, inhibits=inhibits)
    return int(timing.setup_cycles + per_step.sum())


def step_row_reads(active_inputs: np.ndarray, *, inputs: int, neurons: int, timing: SnnCoreTiming) -> np.ndarray:
    """int64 weight-memory row reads per step: one per input beat per group (markers read none)."""
    active = np.asarray(active_inputs, dtype=np.int64)
    g = groups(neurons, timing.parallel_neurons)
    if timing.event_driven:
        per_step = active
    else:
        per_step = np.where(empty_steps(active, timing), 0, inputs)
    return (g * per_step).astype(np.int64)


def weight_row_reads(active_inputs: np.ndarray, *, inputs: int, neurons: int, timing: SnnCoreTiming) -> int:
    """Weight-memory row reads of an inference (one per input beat per group; markers read none)."""
    return int(step_row_reads(active_inputs, inputs=inputs, neurons=neurons, timing=timing).sum())
