"""Spec of an FPGA spiking-network accelerator (family ``snn``).

One core per layer.  A core has ``parallel_neurons`` physical neuron units (all the layer's
neurons, or fewer, time-multiplexed in groups), a synapse memory of BRAM words that yields
one input's weights for a group in one cycle, and a controller that scans every input index
(clock-driven, Spiker) or only the active ones (event-driven).  Timing comes from the block
model :mod:`hwsim.sim.blocks.snn_core` (:meth:`SnnSpec.core_timing`), including skipping the
empty steps of a clock-driven core and the lateral-inhibition scan or broadcast; loading the
image and reading the counters are in :mod:`hwsim.sim.snn.cycles`.  Every energy and every structural cost carries a ``source``.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import Field

from hwsim.sim.blocks.snn_core import SnnCoreTiming
from hwsim.spec.base import EnergyEntry, StrictSpec
from hwsim.spec.enums import Family


class Processing(str, Enum):
    """How a core walks the inputs of a time step.

    ``clock_driven``: every input index, one per cycle (Spiker); ``event_driven``: only the
    inputs with ``x != 0``, one per cycle.
    """

    CLOCK_DRIVEN = "clock_driven"
    EVENT_DRIVEN = "event_driven"


class InhibitionMode(str, Enum):
    """How lateral inhibition from the previous step's spikes is applied.

    ``scan``: in a step after one in which the layer fired, the N feedback lines are scanned
    one per cycle (Spiker's ``inh_update`` state); ``broadcast``: the spike count is summed by
    an adder tree and every unit subtracts ``inhibition * (count - own)`` in one cycle.
    """

    SCAN = "scan"
    BROADCAST = "broadcast"


class CoreSpec(StrictSpec):
    """Control flow and timing of a core (cycles per phase)."""

    parallel_neurons: int | None = Field(default=None, ge=1, le=1 << 20, description="P; null: all of the layer's neurons")
    processing: Processing
    skip_empty_steps: bool = Field(description="clock-driven: a step with no input event costs empty_step_cycles")
    fire_cycles: int = Field(ge=0, le=1024, description="per step and group after the input phase")
    empty_step_cycles: int = Field(ge=0, le=1024, description="per group, a step with no input event")
    setup_cycles: int = Field(ge=0, le=1 << 20, description="per inference: state reset")
    inhibition: InhibitionMode = InhibitionMode.BROADCAST
    inhibition_extra_cycles: int = Field(default=0, ge=0, le=1024, description="after an inhibition scan (terminal count)")
    source: str = Field(min_length=1)


class HostSpec(StrictSpec):
    """Per-inference transfers between host and accelerator, in cycles."""

    load_cycles_per_input: int = Field(ge=0, le=64, description="writing one input intensity into the input buffer")
    readout_cycles_per_neuron: int = Field(ge=0, le=64, description="reading one output counter")
    source: str = Field(min_length=1)


class DatapathSpec(StrictSpec):
    """Widths the hardware was built for; a model that needs more is rejected."""

    membrane_bits: int = Field(ge=2, le=32)
    weight_bits: int = Field(ge=2, le=16)
    max_levels: int = Field(ge=1, le=15, description="largest K of a multi-threshold neuron (shift/add of w*o)")
    counter_bits: int = Field(ge=1, le=32, description="output spike counter per neuron")
    per_neuron_threshold: bool = Field(description="a threshold register per neuron (Spiker) or one shared")
    input_buffer: bool = Field(description="the input intensities are held in registers (C x input_bits FFs)")
    source: str = Field(min_length=1)


class SynapseMemorySpec(StrictSpec):
    """Weights in block RAM: each word holds ``weights_per_word`` weights of one input."""

    word_bits: int = Field(ge=1, le=72)
    depth_words: int = Field(ge=1, le=1 << 16, description="words per BRAM36 at that width")
    weights_per_word: int | None = Field(default=None, ge=1, description="null: floor(word_bits / weight_bits)")
    source: str = Field(min_length=1)


class FpgaSpec(StrictSpec):
    part: str = Field(min_length=1)
    lut: int = Field(gt=0)
    ff: int = Field(gt=0)
    bram36: int = Field(gt=0)
    dsp: int = Field(ge=0)
    static_power_w: float = Field(ge=0.0)
    source: str = Field(min_length=1)


class LogicCostSpec(StrictSpec):
    """Structural cost constants of the resource estimate (:mod:`hwsim.cost.fpga_snn`)."""

    fsm_states_per_unit: int = Field(ge=1, description="states of a neuron unit's controller (binary-encoded)")
    fsm_luts_per_unit: int = Field(ge=0)
    control_luts: int = Field(ge=0, description="layer controller, counters, host interface")
    control_ffs: int = Field(ge=0)
    source: str = Field(min_length=1)


class EnergySpec(StrictSpec):
    """Dynamic energy per counted action (pJ); static power is in ``fpga``."""

    synapse_read: EnergyEntry = Field(description="one synapse-memory word read")
    synapse_add: EnergyEntry = Field(description="one neuron unit adds one weight (a spike of value 1)")
    synapse_shift_add: EnergyEntry = Field(description="one extra shift/add of a multi-bit event (w*x)")
    neuron_update: EnergyEntry = Field(description="one neuron's leak, threshold compare and reset in a step")
    neuron_inhibit: EnergyEntry = Field(description="one neuron unit subtracts inhibition once")
    spike_emit: EnergyEntry = Field(description="one output event: spike register and counter increment")
    input_encode: EnergyEntry = Field(description="one input compared with the random number in one step")
    step_skip: EnergyEntry = Field(description="one empty step skipped by the controller")


class SnnSpec(StrictSpec):
    """A spiking-network accelerator on one FPGA; see the module docstring."""

    schema_: Literal["hwsim.arch/1"] = Field(alias="schema")
    name: str = Field(min_length=1)
    family: Literal[Family.SNN]
    description: str = ""
    clock_mhz: float = Field(gt=0.0, le=2000.0)
    core: CoreSpec
    host: HostSpec
    datapath: DatapathSpec
    synapse_memory: SynapseMemorySpec
    fpga: FpgaSpec
    logic: LogicCostSpec
    energy: EnergySpec

    def parallel_neurons(self, neurons: int) -> int:
        """P for a layer of ``neurons`` neurons (never more units than neurons)."""
        p = self.core.parallel_neurons
        return neurons if p is None else min(p, neurons)

    def core_timing(self, neurons: int) -> SnnCoreTiming:
        """The block model's timing of a core that runs a layer of ``neurons`` neurons."""
        c = self.core
        return SnnCoreTiming(
            parallel_neurons=self.parallel_neurons(neurons),
            event_driven=c.processing is Processing.EVENT_DRIVEN,
            fire_cycles=c.fire_cycles,
            empty_step_cycles=c.empty_step_cycles,
            setup_cycles=c.setup_cycles,
            skip_empty_steps=c.skip_empty_steps and c.processing is Processing.CLOCK_DRIVEN,
            inhibition_scan=c.inhibition is InhibitionMode.SCAN,
            inhibition_extra_cycles=c.inhibition_extra_cycles,
        )

    def weights_per_word(self, weight_bits: int) -> int:
        wpw = self.synapse_memory.weights_per_word
        return wpw if wpw is not None else max(1, self.synapse_memory.word_bits // weight_bits)
