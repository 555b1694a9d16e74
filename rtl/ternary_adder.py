"""Bit-serial ternary adder: one column's sense amplifier adding an operand into its sum.

:class:`AdderCore` emulates, cycle for cycle, the in-memory addition modelled by
``hwsim/sim/blocks/ternary_adder.py``: per bit (LSB first) it steps through the sense
amplifier's micro-op schedule (:func:`rtl.schedule.bit_schedule`).  The carry lives in one
register that is either the SA latch (``sa_latched_carry``: preset for free when the
addition starts) or the reserved carry row (``carry_write_back``: preset by a timed
``write_carry`` first).  FAT and ParaPIM variants therefore differ only by the spec they are
built from.

The first cycle of an addition is the cycle its request is accepted (cut-through), and the
result is presented in its last cycle, so back-to-back additions take exactly
``addition_cycles(sense_amp, width_bits)`` cycles each.  :class:`TernaryAdder` wraps one core
with ``lib.stream`` interfaces; ``rtl/ternary_dot_engine.py`` drives one core per column.
"""

from __future__ import annotations

from typing import Any, Mapping

from amaranth import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hwsim.cost import fpga_ternary
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.sim.blocks.ternary_adder import carry_init_cycles
from hwsim.spec.enums import MicroOp
from hwsim.spec.imc import ImcSpec, SenseAmpSpec
from hwsim.rtl.schedule import bit_schedule, first_sense_cycle

FAULTS = ("sub_as_add", "extra_cycle")
"""Deliberate bugs for proving the testbenches: subtract turned into add; one cycle too many."""


def check_fault(fault: str | None) -> None:
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"fault must be None or one of {FAULTS}, not {fault!r}")


class AdderCore(wiring.Component):
    """One column's bit-serial adder, without a stream interface.

    Parameters
    ----------
    sense_amp
        The spec whose addition scheme and micro-op latencies fix the per-bit schedule.
    width_bits
        Accumulator width (bits).
    fault
        ``None``, or one of :data:`FAULTS`.

    Members
    -------
    start : In(1)
        Begin an addition this cycle (only while ``busy`` is low).
    operand : In(signed(width_bits))
        Sampled in the ``start`` cycle.
    sub, clear : In(1)
        Subtract instead of add; start the sum from 0.  Sampled with ``start``.
    bits : In(range(width_bits + 1))
        Bit positions to process (1..width_bits); the result is sign-extended above them.
        The caller guarantees that the true sum fits, as the running-width controller does.
    busy : Out(1)
        An addition started in an earlier cycle is still running.
    done : Out(1)
        This cycle is the last of the running addition.
    result : Out(signed(width_bits))
        The sum after the addition while ``done``, else the stored sum.
    """

    def __init__(self, sense_amp: SenseAmpSpec, width_bits: int, *, fault: str | None = None) -> None:
        if not isinstance(width_bits, int) or not 2 <= width_bits <= 64:
            raise ValueError(f"width_bits must be an integer in [2, 64], not {width_bits!r}")
        check_fault(fault)
        self._sense_amp = sense_amp
        self._width = width_bits
        self._fault = fault
        self._schedule = bit_schedule(sense_amp)
        super().__init__({
            "start": In(1), "operand": In(signed(width_bits)), "sub": In(1), "clear": In(1),
            "bits": In(range(width_bits + 1)),
            "busy": Out(1), "done": Out(1), "result": Out(signed(width_bits)),
        })

    def elaborate(self, platform) -> Module:
        m = Module()
        w, sched = self._width, self._schedule
        n_steps = len(sched)
        # the broken variant spends one idle cycle (as an extra carry preset) per addition
        n_init = carry_init_cycles(self._sense_amp) + (1 if self._fault == "extra_cycle" else 0)
        sense_at = first_sense_cycle(sched)
        ones = (1 << w) - 1

        acc = Signal(w)           # the column's sum rows
        opnd = Signal(w)          # operand rows, shifted right one bit per write_sum
        carry = Signal()          # SA latch or carry row, depending on the scheme
        sa_sum = Signal()         # SA outputs held between the sense and the writes
        sa_cout = Signal()
        bits_r = Signal(range(w + 1))
        sub_r = Signal()
        run = Signal()
        step = Signal(range(max(n_steps, 2)))
        bit = Signal(range(max(w, 2)))
        init_left = Signal(range(n_init + 1))

        first = Signal()
        m.d.comb += [first.eq(self.start & ~run), self.busy.eq(run)]
        active = first | run
        take_sub = 0 if self._fault == "sub_as_add" else self.sub
        opnd_in = Mux(take_sub, ~self.operand, self.operand)

        if n_init == 0:  # the start cycle is already the first micro-op of bit 0
            c_opnd = Mux(run, opnd, opnd_in)
            c_carry = Mux(run, carry, take_sub)
            c_bits = Mux(run, bits_r, self.bits)
            c_step = Mux(run, step, 0)
            c_bit = Mux(run, bit, 0)
            base = Mux(first & self.clear, 0, acc)
            in_init = Const(0)
        else:  # the start cycle writes the carry row; bits follow from registers
            c_opnd, c_carry, c_bits, c_step, c_bit, base = opnd, carry, bits_r, step, bit, acc
            in_init = first | (init_left != 0)

        a_bit = base.bit_select(c_bit, 1)
        f_sum = a_bit ^ c_opnd[0] ^ c_carry
        f_cout = (a_bit & c_opnd[0]) | (a_bit & c_carry) | (c_opnd[0] & c_carry)

        last_bit = c_bit == c_bits - 1
        onehot = (Const(1, w) << c_bit)[:w]
        himask = (Const(ones, w) << c_bits)[:w]
        acc_new = Signal(w)
        m.d.comb += acc_new.eq(base)

        with m.If(first):
            m.d.sync += [opnd.eq(opnd_in), sub_r.eq(take_sub), bits_r.eq(self.bits),
                         acc.eq(Mux(self.clear, 0, acc))]
            if n_init:
                m.d.sync += init_left.eq(n_init - 1)
            else:
                m.d.sync += carry.eq(take_sub)
        if n_init:
            with m.If(in_init & ~first):
                m.d.sync += init_left.eq(init_left - 1)
            with m.If(in_init & Mux(first, n_init == 1, init_left == 1)):
                m.d.sync += carry.eq(Mux(first, take_sub, sub_r))  # write the carry row

        bit_active = active & ~in_init
        done = bit_active & (c_step == n_steps - 1) & last_bit
        m.d.comb += self.done.eq(done)
        with m.If(bit_active):
            for i, ops in enumerate(sched):
                with m.If(c_step == i):
                    live = i == sense_at  # the SA evaluates this cycle: use its outputs directly
                    s = f_sum if live else sa_sum
                    c = f_cout if live else sa_cout
                    if live:
                        m.d.sync += [sa_sum.eq(f_sum), sa_cout.eq(f_cout)]
                    if MicroOp.LATCH_CARRY in ops or MicroOp.WRITE_CARRY in ops:
                        m.d.sync += carry.eq(c)
                    if MicroOp.WRITE_SUM in ops:
                        written = (base & ~onehot) | Mux(s, onehot, 0)
                        extended = Mux(s, written | himask, written & ~himask)
                        m.d.comb += acc_new.eq(Mux(last_bit, extended, written))
                        m.d.sync += [acc.eq(acc_new), opnd.eq(c_opnd.as_signed() >> 1)]
            last_step = c_step == n_steps - 1
            m.d.sync += [step.eq(Mux(last_step, 0, c_step + 1)), bit.eq(Mux(last_step, c_bit + 1, c_bit))]
            with m.If(done):
                m.d.sync += [step.eq(0), bit.eq(0)]
        m.d.sync += run.eq(Mux(active, ~done, 0))
        m.d.comb += self.result.eq(Mux(done, acc_new, acc))
        return m


def adder_request_layout(width_bits: int) -> data.StructLayout:
    """Payload of one addition request (LSB first: operand, sub, clear)."""
    return data.StructLayout({"operand": signed(width_bits), "sub": unsigned(1), "clear": unsigned(1)})


class TernaryAdder(wiring.Component):
    """Adds or subtracts a signed operand into a ``width_bits`` accumulator, bit-serially.

    Parameters
    ----------
    sense_amp
        The spec whose addition scheme and micro-op latencies fix the per-bit schedule.
    width_bits
        Operand and accumulator width (bits); the sum wraps modulo ``2**width_bits``.
    fault
        ``None``, or one of :data:`FAULTS` to build a deliberately wrong adder.

    Members
    -------
    i_stream : In(stream.Signature(adder_request_layout(width_bits)))
        One addition per transfer; ``clear`` starts a new sum from 0.  The transfer cycle
        is the addition's first cycle.
    o_stream : Out(stream.Signature(signed(width_bits)))
        The accumulator after the addition, first valid in the addition's last cycle,
        ``addition_cycles(sense_amp, width_bits) - 1`` cycles after the request.
    """

    def __init__(self, sense_amp: SenseAmpSpec, width_bits: int = 16, *, fault: str | None = None) -> None:
        self._core = AdderCore(sense_amp, width_bits, fault=fault)
        self._width = width_bits
        super().__init__({
            "i_stream": In(stream.Signature(adder_request_layout(width_bits))),
            "o_stream": Out(stream.Signature(signed(width_bits))),
        })

    @property
    def width_bits(self) -> int:
        return self._width

    def elaborate(self, platform) -> Module:
        m = Module()
        m.submodules.core = core = self._core
        holding = Signal()  # the result waits for the consumer
        req = self.i_stream.payload
        m.d.comb += [
            self.i_stream.ready.eq(~core.busy & (~holding | self.o_stream.ready)),
            core.start.eq(self.i_stream.valid & self.i_stream.ready),
            core.operand.eq(req.operand), core.sub.eq(req.sub), core.clear.eq(req.clear),
            core.bits.eq(self._width),
            self.o_stream.valid.eq(core.done | holding),
            self.o_stream.payload.eq(core.result),
        ]
        with m.If(core.done & ~self.o_stream.ready):
            m.d.sync += holding.eq(1)
        with m.Elif(holding & self.o_stream.ready):
            m.d.sync += holding.eq(0)
        return m


def default_params(arch: ImcSpec) -> dict[str, Any]:
    return {"width_bits": 16, "fault": None}


def build(arch: ImcSpec, params: Mapping[str, Any]) -> TernaryAdder:
    return TernaryAdder(arch.sense_amp, params["width_bits"], fault=params["fault"])


BLOCK = RtlBlock(
    name="ternary_adder",
    build=build,
    default_params=default_params,
    testbench="tb_ternary_adder",
    estimate=fpga_ternary.adder_resources,
    faults=FAULTS,
)
