"""Cycles of a spiking layer's core, per sample and step, from the activity the functional model recorded.

Everything a step costs on the core comes from the block model (:mod:`hwsim.sim.blocks.snn_core`,
the contract ``rtl/snn_core.py`` is proven against cycle for cycle), with the timing
:meth:`hwsim.spec.snn.SnnSpec.core_timing` derives from :class:`hwsim.spec.snn.CoreSpec`:

* the input and fire phases, event-driven or clock-driven;
* ``skip_empty_steps`` on a clock-driven core: a step with no input event costs
  ``G * empty_step_cycles`` instead of the full scan (Spiker's ``sample_spikes`` state loops on
  itself when the OR of the input spikes is 0);
* lateral inhibition after a step in which the layer fired: ``scan`` walks the N feedback
  lines one per cycle, ``G * (N + inhibition_extra_cycles)`` (Spiker's ``inh_update`` state);
  ``broadcast`` costs ``G * inhibition_extra_cycles``;
* once per inference, the block's ``setup_cycles``.

This module adds only the host writing the input intensities and reading the output counters
(:class:`hwsim.spec.snn.HostSpec`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.sim.blocks.snn_core import empty_steps, inhibiting_steps, inhibition_reads, step_cycles, step_row_reads
from hwsim.func.lif import RunResult
from hwsim.spec.snn import SnnSpec
from hwsim.workload.snn import SnnNetwork


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
    timing = arch.core_timing(neurons)
    active = np.asarray(active, dtype=np.int64)
    inhibits = inhibiting_steps(fired)
    per_step = step_cycles(active, inputs=inputs, neurons=neurons, timing=timing, inhibits=inhibits)
    rows = step_row_reads(active, inputs=inputs, neurons=neurons, timing=timing).sum(axis=1)
    skipped = empty_steps(active, timing).sum(axis=1)
    inh_rows = inhibition_reads(inhibits, neurons=neurons, timing=timing).sum(axis=1)
    cycles = timing.setup_cycles + per_step.sum(axis=1)
    return LayerCycles(cycles.astype(np.int64), rows.astype(np.int64), skipped.astype(np.int64),
                       inhibits.sum(axis=1).astype(np.int64), inh_rows.astype(np.int64))


def host_cycles(arch: SnnSpec, inputs: int, outputs: int) -> int:
    """Per inference: writing ``inputs`` intensities and reading ``outputs`` counters."""
    return arch.host.load_cycles_per_input * inputs + arch.host.readout_cycles_per_neuron * outputs


def network_layer_cycles(net: SnnNetwork, arch: SnnSpec, run: RunResult) -> list[LayerCycles]:
    """:func:`layer_cycles` of every layer of a functional run, in order."""
    return [layer_cycles(run.active_inputs[:, index, :], run.fired[:, index, :], inputs=layer.inputs,
                         neurons=layer.neurons, arch=arch) for index, layer in enumerate(net.layers)]


def sample_cycles(net: SnnNetwork, arch: SnnSpec, run: RunResult) -> np.ndarray:
    """(B,) cycles of every sample of a functional run: the host's transfers plus every layer's core."""
    host = host_cycles(arch, net.layers[0].inputs, net.layers[-1].neurons)
    return host + sum((lc.cycles for lc in network_layer_cycles(net, arch, run)),
                      np.zeros(run.counts.shape[0], dtype=np.int64))
