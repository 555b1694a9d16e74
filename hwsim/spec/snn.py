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

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Literal

from hwsim.sim.blocks.snn_core import SnnCoreTiming
from hwsim.spec.base import EnergyEntry, StrictSpec, check_family
from hwsim.spec.enums import Family

if TYPE_CHECKING:  # the annotations' constraints, resolved when a spec is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, MinLen, doc


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


@dataclass(frozen=True, kw_only=True)
class CoreSpec(StrictSpec):
    """Control flow and timing of a core (cycles per phase)."""

    parallel_neurons: Annotated[int, Ge(1), Le(1 << 20), doc("P; null: all of the layer's neurons")] | None = None
    processing: Processing
    skip_empty_steps: Annotated[bool, doc("clock-driven: a step with no input event costs empty_step_cycles")]
    fire_cycles: Annotated[int, Ge(0), Le(1024), doc("per step and group after the input phase")]
    empty_step_cycles: Annotated[int, Ge(0), Le(1024), doc("per group, a step with no input event")]
    setup_cycles: Annotated[int, Ge(0), Le(1 << 20), doc("per inference: state reset")]
    inhibition: InhibitionMode = InhibitionMode.BROADCAST
    inhibition_extra_cycles: Annotated[int, Ge(0), Le(1024), doc("after an inhibition scan (terminal count)")] = 0
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class HostSpec(StrictSpec):
    """Per-inference transfers between host and accelerator, in cycles."""

    load_cycles_per_input: Annotated[int, Ge(0), Le(64), doc("writing one input intensity into the input buffer")]
    readout_cycles_per_neuron: Annotated[int, Ge(0), Le(64), doc("reading one output counter")]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class DatapathSpec(StrictSpec):
    """Widths the hardware was built for; a model that needs more is rejected."""

    membrane_bits: Annotated[int, Ge(2), Le(32)]
    weight_bits: Annotated[int, Ge(2), Le(16)]
    max_levels: Annotated[int, Ge(1), Le(15), doc("largest K of a multi-threshold neuron (shift/add of w*o)")]
    counter_bits: Annotated[int, Ge(1), Le(32), doc("output spike counter per neuron")]
    per_neuron_threshold: Annotated[bool, doc("a threshold register per neuron (Spiker) or one shared")]
    input_buffer: Annotated[bool, doc("the input intensities are held in registers (C x input_bits FFs)")]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class SynapseMemorySpec(StrictSpec):
    """Weights in block RAM: each word holds ``weights_per_word`` weights of one input."""

    word_bits: Annotated[int, Ge(1), Le(72)]
    depth_words: Annotated[int, Ge(1), Le(1 << 16), doc("words per BRAM36 at that width")]
    weights_per_word: Annotated[int, Ge(1), doc("null: floor(word_bits / weight_bits)")] | None = None
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class FpgaSpec(StrictSpec):
    part: Annotated[str, MinLen(1)]
    lut: Annotated[int, Gt(0)]
    ff: Annotated[int, Gt(0)]
    bram36: Annotated[int, Gt(0)]
    dsp: Annotated[int, Ge(0)]
    static_power_w: Annotated[float, Ge(0.0)]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class LogicCostSpec(StrictSpec):
    """Structural cost constants of the resource estimate (:mod:`hwsim.cost.fpga_snn`)."""

    fsm_states_per_unit: Annotated[int, Ge(1), doc("states of a neuron unit's controller (binary-encoded)")]
    fsm_luts_per_unit: Annotated[int, Ge(0)]
    control_luts: Annotated[int, Ge(0), doc("layer controller, counters, host interface")]
    control_ffs: Annotated[int, Ge(0)]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class EnergySpec(StrictSpec):
    """Dynamic energy per counted action (pJ); static power is in ``fpga``."""

    synapse_read: Annotated[EnergyEntry, doc("one synapse-memory word read")]
    synapse_add: Annotated[EnergyEntry, doc("one neuron unit adds one weight (a spike of value 1)")]
    synapse_shift_add: Annotated[EnergyEntry, doc("one extra shift/add of a multi-bit event (w*x)")]
    neuron_update: Annotated[EnergyEntry, doc("one neuron's leak, threshold compare and reset in a step")]
    neuron_inhibit: Annotated[EnergyEntry, doc("one neuron unit subtracts inhibition once")]
    spike_emit: Annotated[EnergyEntry, doc("one output event: spike register and counter increment")]
    input_encode: Annotated[EnergyEntry, doc("one input compared with the random number in one step")]
    step_skip: Annotated[EnergyEntry, doc("one empty step skipped by the controller")]


@dataclass(frozen=True, kw_only=True)
class SnnSpec(StrictSpec):
    """A spiking-network accelerator on one FPGA; see the module docstring."""

    schema_: Literal["hwsim.arch/1"]
    name: Annotated[str, MinLen(1)]
    family: Family
    description: str = ""
    clock_mhz: Annotated[float, Gt(0.0), Le(2000.0)]
    core: CoreSpec
    host: HostSpec
    datapath: DatapathSpec
    synapse_memory: SynapseMemorySpec
    fpga: FpgaSpec
    logic: LogicCostSpec
    energy: EnergySpec

    def __post_init__(self) -> None:
        check_family(self, Family.SNN)

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
