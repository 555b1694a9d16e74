"""Cycles of a spiking layer's core, per sample and step, from the activity the functional model recorded.

The per-step cost of the input and fire phases is the block model's
(:func:`hwsim.sim.blocks.snn_core.step_cycles`).  Around it, the controller of
:class:`hwsim.spec.snn.CoreSpec` adds what that block does not model:

* ``skip_empty_steps`` on a clock-driven core: a step with no input event costs
  ``G * empty_step_cycles`` instead of the full scan (Spiker's ``sample_spikes`` state loops on
  itself when the OR of the input spikes is 0);
* lateral inhibition after a step in which the layer fired: ``scan`` walks the N feedback
  lines one per cycle, ``G * (N + inhibition_extra_cycles)`` (Spiker's ``inh_update`` state);
  ``broadcast`` costs ``G * inhibition_extra_cycles``;
* once per inference, the block's ``setup_cycles``, plus the host writing the input
  intensities and reading the output counters (:class:`hwsim.spec.snn.HostSpec`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.sim.blocks.snn_core import groups, step_cycles
from hwsim.spec.snn import InhibitionMode, Processing, SnnSpec


@dataclass(frozen=True)
class LayerCycles:
    """Cycles and phase activity of one layer over a batch of B samples and T steps.

    Attributes
    ----------
    cycles
        (B,) int64 cycles of each sample on this layer's core (setup included, host excluded).
    scanned_rows
        (B,) int64 weight-memory rows read (input beats times groups).
    skipped_steps
        (B,) int64 steps that cost only the empty-step cycles.
    inhibition_steps
        (B,) int64 steps that applied lateral inhibition.
    inhibition_rows
        (B,) int64 feedback lines scanned (scan mode) or broadcasts (broadcast mode), times groups.
    """

    cycles: np.ndarray
    scanned_rows: np.ndarray
    skipped_steps: np.ndarray
    inhibition_steps: np.ndarray
    inhibition_rows: np.ndarray


def layer_cycles(active: np.ndarray, fired: np.ndarray, *, inputs: int, neurons: int, arch: SnnSpec) -> LayerCycles:
    """Cycles of one layer: ``active`` (B, T) input events per step, ``fired`` (B, T) firing neurons."""
    core = arch.core
    timing = arch.core_timing(neurons)
    g = groups(neurons, timing.parallel_neurons)
    active = np.asarray(active, dtype=np.int64)
    per_step = step_cycles(active, inputs=inputs, neurons=neurons, timing=timing)
    empty = active == 0
    if core.processing is Processing.CLOCK_DRIVEN:
        if core.skip_empty_steps:
            per_step = np.where(empty, g * core.empty_step_cycles, per_step)
            rows = g * inputs * (~empty).sum(axis=1)
            skipped = empty.sum(axis=1)
        else:
            rows = np.full(active.shape[0], g * inputs * active.shape[1], dtype=np.int64)
            skipped = np.zeros(active.shape[0], dtype=np.int64)
    else:
        rows = g * active.sum(axis=1)
        skipped = empty.sum(axis=1)
    # The feedback of step t-1 is applied in step t (the last step's spikes are never fed back).
    previous = np.zeros_like(fired, dtype=np.int64)
    previous[:, 1:] = fired[:, :-1]
    inhibits = previous > 0
    if core.inhibition is InhibitionMode.SCAN:
        inh_cycles = g * (neurons + core.inhibition_extra_cycles) * inhibits
        inh_rows = g * neurons * inhibits.sum(axis=1)
    else:
        inh_cycles = g * core.inhibition_extra_cycles * inhibits
        inh_rows = g * inhibits.sum(axis=1)
    cycles = timing.setup_cycles + (per_step + inh_cycles).sum(axis=1)
    return LayerCycles(cycles.astype(np.int64), rows.astype(np.int64), skipped.astype(np.int64),
                       inhibits.sum(axis=1).astype(np.int64), inh_rows.astype(np.int64))


def host_cycles(arch: SnnSpec, inputs: int, outputs: int) -> int:
    """Per inference: writing ``inputs`` intensities and reading ``outputs`` counters."""
    return arch.host.load_cycles_per_input * inputs + arch.host.readout_cycles_per_neuron * outputs
