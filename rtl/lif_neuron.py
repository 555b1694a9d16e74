"""One (multi-threshold) LIF neuron, and the neuron logic the SNN core replicates per lane.

The logic is :func:`hwsim.func.lif.lif_step` in hardware, for the shift leak (or none), hard
or soft reset, a refractory counter and ``K`` thresholds (lateral inhibition needs the whole
layer's outputs: only the core builds it, from :meth:`NeuronLogic.inhibit`, one feedback line
per cycle):

- *integrate*: ``v = sat(v + w*x)`` unless refractory; ``w*x`` by shift/add over the bits of
  ``x`` (``x in 0..input_levels``), so a multi-threshold input costs no multiplier;
- *fire*: ``o = #{k in 1..K: v >= k*theta}``, then hard (``v = 0``) or soft
  (``v -= o*theta``, built as a sum of the crossed thresholds) reset and the refractory load;
  a refractory neuron instead counts down, outputs 0 and keeps ``v``;
- *leak*, for the next step, in the same cycle: ``v -= v >> k`` when the neuron will not be
  refractory then.  Leaking at the end of step ``t`` rather than the start of ``t + 1`` gives
  the same membranes (the state starts at 0, and ``0 >> k = 0``) and keeps the fire value
  observable.

:class:`LifNeuron` is the stand-alone block: input beats ``(weight, value, last, clear)``, one
per cycle, integrated in the cycle they are accepted; after ``last`` one fire cycle emits
``(o, v)`` (``v`` after reset, before the leak: the model's state).  A ``clear`` beat zeroes the
state (the inference's setup cycle).  Cycles: ``hwsim.sim.blocks.lif_neuron``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from amaranth import Const, Module, Mux, Signal, Value, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hwsim.errors import WorkloadError
from hwsim.func.snn_core import default_neuron_params, neuron_from_params
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.workload.snn import LeakKind, NeuronParams, ResetKind

FAULTS = ("leak_off_by_one", "wrap_around", "extra_cycle")
"""Deliberate bugs: leak by ``v >> (k+1)``; integrate without saturation; one idle cycle before firing."""

MAX_INPUT_LEVELS = 255


def check_rtl_neuron(neuron: NeuronParams, input_levels: int, fault: str | None, faults: tuple[str, ...], *,
                     inhibition: bool = False) -> None:
    """Raise ValueError for what the neuron RTL does not build (decay leak, inhibition, bad sizes).

    ``inhibition``: the caller builds the lateral-inhibition scan (``rtl/snn_core.py``), so a
    neuron with ``inhibition_lsb > 0`` is accepted.
    """
    if neuron.leak is LeakKind.DECAY:
        raise ValueError("leak 'decay' has no RTL (a multiplier per neuron); use leak=shift or leak=none")
    if neuron.inhibition_lsb and not inhibition:
        raise ValueError(f"inhibition = {neuron.inhibition_lsb} LSB has no RTL without an inhibition scan; "
                         "the neuron block takes inhibition 0, the core needs inhibition_scan=1")
    if isinstance(input_levels, bool) or not isinstance(input_levels, int) or not 1 <= input_levels <= MAX_INPUT_LEVELS:
        raise ValueError(f"input_levels must be an integer in [1, {MAX_INPUT_LEVELS}], not {input_levels!r}")
    if fault is not None and fault not in faults:
        raise ValueError(f"fault must be None or one of {faults}, not {fault!r}")


@dataclass(frozen=True)
class NeuronLogic:
    """Builds the neuron's combinational logic for one lane (pure: expressions in, expressions out)."""

    neuron: NeuronParams
    input_levels: int
    fault: str | None = None

    @property
    def value_bits(self) -> int:
        return self.input_levels.bit_length()

    @property
    def out_bits(self) -> int:
        return self.neuron.levels.bit_length()

    @property
    def refractory_bits(self) -> int:
        return max(1, self.neuron.refractory_steps.bit_length())

    def weighted(self, w: Value, x: Value) -> Value:
        """``w * x`` as a shift/add over the bits of the unsigned ``x``."""
        terms = [Mux(x[b], w << b, 0) for b in range(self.value_bits)]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def _fit(self, value: Value) -> Value:
        return value[: self.neuron.membrane_bits].as_signed()

    def integrate(self, v: Value, addend: Value, refr: Value) -> Value:
        """``sat(v + addend)``, or ``v`` while refractory."""
        n = self.neuron
        total = v + addend
        if self.fault == "wrap_around":
            fitted = self._fit(total)
        else:
            fitted = self._fit(Mux(total > n.v_max, n.v_max, Mux(total < n.v_min, n.v_min, total)))
        return Mux(refr != 0, v, fitted)

    def inhibit(self, v: Value, amount: Value, refr: Value) -> Value:
        """``max(v_min, v - amount)`` for a non-negative ``amount``, or ``v`` while refractory.

        One feedback line's share of :func:`hwsim.func.lif.lif_step`'s inhibition: subtracts of
        non-negative amounts floored at ``v_min`` add up to one subtract of their sum.
        """
        n = self.neuron
        total = v - amount
        return Mux(refr != 0, v, self._fit(Mux(total < n.v_min, n.v_min, total)))

    def leak(self, v: Value) -> Value:
        n = self.neuron
        if n.leak is LeakKind.NONE:
            return v
        shift = n.leak_shift + (1 if self.fault == "leak_off_by_one" else 0)
        return self._fit(v - (v >> shift))

    def fire(self, v: Value, refr: Value, threshold: Value | int | None = None) -> tuple[Value, Value, Value, Value]:
        """``(o, v after reset, v stored for the next step (leaked), refractory count next)``.

        ``threshold``: this lane's own threshold (a per-neuron register), or None for ``threshold_lsb``.
        """
        n = self.neuron
        theta = n.threshold_lsb if threshold is None else threshold
        crossed = [v >= k * theta for k in range(1, n.levels + 1)]
        o = Const(0, self.out_bits)
        for c in crossed:
            o = (o + c)[: self.out_bits]
        if n.reset is ResetKind.HARD:
            reset = Mux(crossed[0], 0, v)
        else:
            taken = Const(0, signed(n.membrane_bits + 1))
            for c in crossed:
                taken = taken + Mux(c, theta, 0)
            reset = self._fit(v - taken)
        refractory = refr != 0
        o_out = Mux(refractory, 0, o)
        v_out = self._fit(Mux(refractory, v, reset))
        refr_next = Mux(refractory, refr - 1, Mux(crossed[0], n.refractory_steps, 0))[: self.refractory_bits]
        v_next = self._fit(Mux(refr_next == 0, self.leak(v_out), v_out))
        return o_out, v_out, v_next, refr_next


def neuron_input_layout(weight_bits: int, value_bits: int) -> data.StructLayout:
    return data.StructLayout({"weight": signed(weight_bits), "value": unsigned(value_bits),
                              "last": unsigned(1), "clear": unsigned(1)})


def neuron_output_layout(out_bits: int, membrane_bits: int) -> data.StructLayout:
    return data.StructLayout({"o": unsigned(out_bits), "v": signed(membrane_bits)})


class LifNeuron(wiring.Component):
    """A single LIF neuron with a stream of weighted input beats and a stream of step outputs.

    Parameters
    ----------
    neuron
        The neuron's parameters (the same record :mod:`hwsim.func.lif` runs).
    input_levels
        Largest input value ``x`` (1: binary spikes; ``K`` of the layer before for
        multi-threshold inputs).
    fault
        ``None`` or one of :data:`FAULTS`.

    Members
    -------
    i_stream : In(stream.Signature(neuron_input_layout(weight_bits, value_bits)))
        One synapse event per beat (``x = 0`` adds nothing); ``last`` ends the step (a step
        with no event is one beat with ``value = 0, last = 1``); a ``clear`` beat resets the state.
    o_stream : Out(stream.Signature(neuron_output_layout(out_bits, membrane_bits)))
        One beat per step: the output ``o`` and the membrane after reset.
    """

    def __init__(self, neuron: NeuronParams, input_levels: int = 1, *, fault: str | None = None) -> None:
        check_rtl_neuron(neuron, input_levels, fault, FAULTS)
        self._logic = NeuronLogic(neuron, input_levels, fault)
        super().__init__({
            "i_stream": In(stream.Signature(neuron_input_layout(neuron.weight_bits, self._logic.value_bits))),
            "o_stream": Out(stream.Signature(neuron_output_layout(self._logic.out_bits, neuron.membrane_bits))),
        })

    @property
    def neuron(self) -> NeuronParams:
        return self._logic.neuron

    def elaborate(self, platform) -> Module:
        m = Module()
        logic, n = self._logic, self._logic.neuron
        v = Signal(signed(n.membrane_bits))
        refr = Signal(logic.refractory_bits)
        firing = Signal()   # the step's inputs are in; the output beat is (about to be) offered
        armed = Signal()    # the extra_cycle variant idles one cycle first
        beat = self.i_stream.payload
        o, v_out, v_next, refr_next = logic.fire(v, refr)

        m.d.comb += [
            self.i_stream.ready.eq(~firing),
            self.o_stream.valid.eq(firing & (armed if logic.fault == "extra_cycle" else 1)),
            self.o_stream.payload.o.eq(o),
            self.o_stream.payload.v.eq(v_out),
        ]
        if logic.fault == "extra_cycle":
            with m.If(firing):
                m.d.sync += armed.eq(1)
        with m.If(self.i_stream.valid & self.i_stream.ready):
            with m.If(beat.clear):
                m.d.sync += [v.eq(0), refr.eq(0)]
            with m.Else():
                m.d.sync += v.eq(logic.integrate(v, logic.weighted(beat.weight, beat.value), refr))
                with m.If(beat.last):
                    m.d.sync += firing.eq(1)
        with m.If(self.o_stream.valid & self.o_stream.ready):
            m.d.sync += [v.eq(v_next), refr.eq(refr_next), firing.eq(0), armed.eq(0)]
        return m


def default_params(spec: Any) -> dict[str, Any]:
    """Spiker's neuron (see :func:`hwsim.func.snn_core.default_neuron_params`), binary inputs."""
    return {**default_neuron_params(), "input_levels": 1, "fault": None}


def rtl_neuron(params: Mapping[str, Any]) -> NeuronParams:
    """The block's :class:`NeuronParams`; a bad value is a ValueError (one line from the CLI)."""
    if params["leak"] == LeakKind.DECAY.value:  # no multiplier key among the block's parameters
        raise ValueError("leak 'decay' has no RTL (a multiplier per neuron); use leak=shift or leak=none")
    try:
        return neuron_from_params(params)
    except WorkloadError as exc:
        raise ValueError(str(exc)) from None


def build(spec: Any, params: Mapping[str, Any]) -> LifNeuron:
    neuron = rtl_neuron(params)
    # checked before the component exists: one whose constructor raised warns "never used"
    check_rtl_neuron(neuron, params["input_levels"], params["fault"], FAULTS)
    return LifNeuron(neuron, params["input_levels"], fault=params["fault"])


def _estimate(spec: Any, params: Mapping[str, Any]):
    from hwsim.cost.fpga_snn_blocks import neuron_block_resources

    return neuron_block_resources(params)


BLOCK = RtlBlock(
    name="lif_neuron",
    build=build,
    default_params=default_params,
    testbench="tb_lif_neuron",
    estimate=_estimate,
    family=None,
    default_arch=None,
    faults=FAULTS,
)
