"""Ternary dot-product engine: a sparse skip unit driving one bit-serial adder per column.

Like a subarray in the IMC model, every column holds the activations of one output pixel and
all columns share the weight sequence: the skip unit turns each chunk of ternary weights into
add/subtract operations and all column adders execute each operation in lockstep.  As in the
model, an addition ripples only through the bits the running sum can occupy
(``running_width_bits`` of the operands accumulated so far in the tile), so a tile takes
``hwsim.sim.blocks.ternary_dot_engine.tile_cycles`` cycles — the same per-chunk work function
the IMC layer engine sums.

A *tile* is a stream of chunks ending with ``last``; its result is one beat holding every
column's dot product, presented in the tile's last cycle.
"""

from __future__ import annotations

from typing import Any, Mapping

from amaranth import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hwsim.cost import fpga_ternary
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.sim.blocks.ternary_adder import running_width_bits
from hwsim.sim.blocks.ternary_dot_engine import acc_width_bits
from hwsim.spec.imc import ImcSpec
from hwsim.rtl.sparse_skip import SparseSkip, chunk_layout
from hwsim.rtl.ternary_adder import AdderCore, check_fault

FAULTS = ("sub_as_add", "extra_cycle")
"""Deliberate bugs, injected into every column adder (see ``rtl.ternary_adder.FAULTS``)."""


def tag_layout(columns: int, lanes: int, act_bits: int) -> data.StructLayout:
    """Per-chunk side data: ``acts[column][lane]`` (unsigned) and the tile's ``last`` flag."""
    return data.StructLayout({
        "acts": data.ArrayLayout(data.ArrayLayout(unsigned(act_bits), lanes), columns),
        "last": unsigned(1),
    })


class TernaryDotEngine(wiring.Component):
    """``columns`` dot products of unsigned activations with one shared ternary weight vector.

    Parameters
    ----------
    arch
        The IMC spec: its sense amplifier sets each column adder's schedule, its skip unit the
        chunk width (``weights_per_cycle`` lanes) and whether zeros are skipped.
    columns
        Dot products computed in parallel (output pixels).
    act_bits
        Activation width (unsigned).
    max_reduction
        Most weights one tile may have; sets the accumulator width.
    fault
        ``None``, or one of :data:`FAULTS`.

    Members
    -------
    i_stream : In(stream.Signature(chunk_layout(lanes, tag_layout(columns, lanes, act_bits))))
        One chunk per transfer: ``weights[lane]`` (signed 2-bit ternary) and ``tag.acts``,
        ``tag.last`` (the tile's final chunk).
    o_stream : Out(stream.Signature(data.ArrayLayout(signed(acc_bits), columns)))
        One beat per tile: every column's sum.
    """

    def __init__(self, arch: ImcSpec, *, columns: int = 4, act_bits: int = 4, max_reduction: int = 64,
                 fault: str | None = None) -> None:
        for name, value, lo, hi in (("columns", columns, 1, 256), ("act_bits", act_bits, 1, 16),
                                    ("max_reduction", max_reduction, 1, 1 << 16)):
            if not isinstance(value, int) or not lo <= value <= hi:
                raise ValueError(f"{name} must be an integer in [{lo}, {hi}], not {value!r}")
        check_fault(fault)
        self._arch = arch
        self._columns = columns
        self._act_bits = act_bits
        self._max_reduction = max_reduction
        self._fault = fault
        self._lanes = arch.skip_unit.weights_per_cycle
        self._acc_bits = acc_width_bits(max_reduction, act_bits)
        tag = tag_layout(columns, self._lanes, act_bits)
        super().__init__({
            "i_stream": In(stream.Signature(chunk_layout(self._lanes, tag))),
            "o_stream": Out(stream.Signature(data.ArrayLayout(signed(self._acc_bits), columns))),
        })

    @property
    def acc_bits(self) -> int:
        return self._acc_bits

    def elaborate(self, platform) -> Module:
        m = Module()
        w, cols = self._acc_bits, self._columns
        tag = tag_layout(cols, self._lanes, self._act_bits)
        m.submodules.skip = skip = SparseSkip(self._arch.skip_unit, tag_shape=tag)
        wiring.connect(m, wiring.flipped(self.i_stream), skip.i_stream)
        cores = [AdderCore(self._arch.sense_amp, w, fault=self._fault) for _ in range(cols)]
        for i, core in enumerate(cores):
            m.submodules[f"column{i}"] = core

        act_max = (1 << self._act_bits) - 1
        n_ops = Signal(range(self._max_reduction + 1))
        # bit positions of the (n+1)-th accumulation, n = operands already in the sum: a step
        # function of n, built from comparators rather than a ROM (a case statement whose only
        # input is a register holding its initial value is never evaluated by Icarus)
        widths = [int(running_width_bits(n + 1, act_max)) for n in range(self._max_reduction)]
        width_now = Const(widths[0], range(w + 1)) + sum(
            (n_ops >= n).as_unsigned() * (widths[n] - widths[n - 1])
            for n in range(1, len(widths)) if widths[n] != widths[n - 1])
        final_running = Signal()   # the tile's last addition is in progress
        holding = Signal()         # the tile's result waits for the consumer

        op = skip.o_stream.payload
        ends_tile = op.last & op.tag.last
        can_start = ~cores[0].busy & ~holding
        add = skip.o_stream.valid & ~op.nop & can_start
        empty_end = skip.o_stream.valid & op.nop & ends_tile & can_start  # tile ends on a nop beat
        m.d.comb += skip.o_stream.ready.eq(can_start & (~(op.nop & ends_tile) | self.o_stream.ready))
        for i, core in enumerate(cores):
            m.d.comb += [
                core.start.eq(add), core.sub.eq(op.sub), core.clear.eq(n_ops == 0),
                core.bits.eq(width_now),
                core.operand.eq(Mux(op.zero, 0, op.tag.acts[i].as_value().word_select(op.lane, self._act_bits))),
                self.o_stream.payload[i].eq(Mux(n_ops == 0, 0, core.result)),
            ]
        m.d.comb += self.o_stream.valid.eq((final_running & cores[0].done) | holding | empty_end)

        with m.If(add):
            m.d.sync += n_ops.eq(n_ops + 1)
            with m.If(ends_tile):
                m.d.sync += final_running.eq(1)
        with m.If(self.o_stream.valid & self.o_stream.ready):
            m.d.sync += [n_ops.eq(0), final_running.eq(0), holding.eq(0)]
        with m.Elif(final_running & cores[0].done):
            m.d.sync += [final_running.eq(0), holding.eq(1)]
        return m


def default_params(arch: ImcSpec) -> dict[str, Any]:
    return {"columns": 4, "act_bits": 4, "max_reduction": 64, "fault": None}


def build(arch: ImcSpec, params: Mapping[str, Any]) -> TernaryDotEngine:
    return TernaryDotEngine(arch, columns=params["columns"], act_bits=params["act_bits"],
                            max_reduction=params["max_reduction"], fault=params["fault"])


BLOCK = RtlBlock(
    name="ternary_dot_engine",
    build=build,
    default_params=default_params,
    testbench="tb_ternary_dot_engine",
    estimate=fpga_ternary.engine_resources,
    faults=FAULTS,
)
