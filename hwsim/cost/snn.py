"""Pricing of a spiking accelerator: action counts of one layer -> pJ, via the spec's energy table.

Actions counted by :mod:`hwsim.sim.snn.network` (all per layer, summed over the samples):

==========================  =====================================================================
``synapse.read``            synapse-memory words read: rows scanned x words per row
``synapse.add``             a neuron unit adds one weight: input events x neurons
``synapse.shift_add``       extra shift/adds of multi-bit events (``popcount(x) - 1`` each) x neurons
``neuron.update``           a neuron's leak, threshold compare and reset: neurons x steps
``neuron.inhibit``          a neuron subtracts lateral inhibition once: feedback rows x neurons per group
``spike.emit``              output events (sum of the outputs ``o``; counters incremented)
``input.encode``            an input compared with the step's random number: inputs x steps (rate codes)
``step.skip``               a step with no input event skipped by the controller
``fpga.static_cycle``       one clock cycle of static power (total cycles only)
==========================  =====================================================================
"""

from __future__ import annotations

from hwsim.spec.snn import SnnSpec

ACTIONS = (
    "synapse.read", "synapse.add", "synapse.shift_add", "neuron.update", "neuron.inhibit",
    "spike.emit", "input.encode", "step.skip",
)


def energy_table_pj(arch: SnnSpec) -> dict[str, float]:
    """pJ per counted action; static power becomes pJ per clock cycle."""
    e = arch.energy
    return {
        "synapse.read": e.synapse_read.pj,
        "synapse.add": e.synapse_add.pj,
        "synapse.shift_add": e.synapse_shift_add.pj,
        "neuron.update": e.neuron_update.pj,
        "neuron.inhibit": e.neuron_inhibit.pj,
        "spike.emit": e.spike_emit.pj,
        "input.encode": e.input_encode.pj,
        "step.skip": e.step_skip.pj,
        "fpga.static_cycle": arch.fpga.static_power_w / (arch.clock_mhz * 1e6) * 1e12,
    }
