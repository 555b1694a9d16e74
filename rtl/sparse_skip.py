"""Sparse Addition Control Unit: turns chunks of ternary weights into add/subtract operations.

One chunk holds ``skip_unit.weights_per_cycle`` weights, so scanning a chunk takes one cycle,
and it overlaps the issue of the chunk's first operation (the chunk is decoded in the cycle
it is accepted).  Each further non-zero weight costs one cycle; a chunk with nothing to issue
costs its one scan cycle and emits one ``nop`` beat.  This is
``hwsim.sim.blocks.sparse_skip.unit_chunk_cycles``; the functional reference is
``hwsim.func.sparse_skip.issue``.
"""

from __future__ import annotations

from typing import Any, Mapping

from amaranth import Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hwsim.cost import fpga_ternary
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.spec.imc import ImcSpec, SkipUnitSpec

FAULTS = ("sub_as_add", "no_skip")
"""Deliberate bugs: every operation issued as an add; zero weights issued like the others."""

MAX_LANES = 64


def chunk_layout(lanes: int, tag_shape=None) -> data.StructLayout:
    """Input payload: ``lanes`` signed 2-bit ternary weights (lane 0 in the low bits) and a tag."""
    fields = {"weights": data.ArrayLayout(signed(2), lanes)}
    if tag_shape is not None:
        fields["tag"] = tag_shape
    return data.StructLayout(fields)


def op_layout(lanes: int, tag_shape=None) -> data.StructLayout:
    """Output payload: the weight's lane, subtract and zero-weight flags, nop/last flags, zeros
    skipped in the chunk (``zero`` is set only when skipping is off: add 0)."""
    fields = {
        "lane": unsigned(max(1, (lanes - 1).bit_length())), "sub": unsigned(1), "zero": unsigned(1),
        "nop": unsigned(1),
        "last": unsigned(1), "skipped": unsigned((lanes).bit_length()),
    }
    if tag_shape is not None:
        fields["tag"] = tag_shape
    return data.StructLayout(fields)


class SparseSkip(wiring.Component):
    """Issues one add/subtract per non-zero ternary weight of each chunk, lowest lane first.

    Parameters
    ----------
    skip_unit
        ``weights_per_cycle`` sets the chunk width (lanes); ``zero_skip`` off issues every weight.
    tag_shape
        Optional shape of a tag carried from a chunk to each of its operations (the dot
        engine passes the chunk's activations this way).
    fault
        ``None``, or one of :data:`FAULTS`.

    Members
    -------
    i_stream : In(stream.Signature(chunk_layout(lanes, tag_shape)))
        One chunk per transfer.  Its transfer cycle also issues its first operation, so a
        chunk is accepted only when ``o_stream.ready`` is high.
    o_stream : Out(stream.Signature(op_layout(lanes, tag_shape)))
        One beat per issued operation (or one ``nop`` beat); ``last`` ends the chunk.
    """

    def __init__(self, skip_unit: SkipUnitSpec, *, tag_shape=None, fault: str | None = None) -> None:
        lanes = skip_unit.weights_per_cycle
        if lanes > MAX_LANES:
            raise ValueError(f"skip_unit.weights_per_cycle must be at most {MAX_LANES} for the RTL, not {lanes}")
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be None or one of {FAULTS}, not {fault!r}")
        self._lanes = lanes
        self._zero_skip = skip_unit.zero_skip and fault != "no_skip"
        self._fault = fault
        self._tag = tag_shape is not None
        super().__init__({
            "i_stream": In(stream.Signature(chunk_layout(lanes, tag_shape))),
            "o_stream": Out(stream.Signature(op_layout(lanes, tag_shape))),
        })

    @property
    def lanes(self) -> int:
        return self._lanes

    def elaborate(self, platform) -> Module:
        m = Module()
        n = self._lanes
        chunk = self.i_stream.payload
        busy = Signal()                # a chunk is held and has operations left
        held_sign = Signal(n)          # sign bit of each held weight
        held_nonzero = Signal(n)
        pending = Signal(n)            # lanes still to issue
        held_skipped = Signal(self.o_stream.payload.skipped.shape())

        nonzero = Cat(chunk.weights[i] != 0 for i in range(n))
        mask_in = nonzero if self._zero_skip else Const((1 << n) - 1, n)
        sign_in = Cat(chunk.weights[i][1] for i in range(n))
        zeros_in = sum((~mask_in[i]).as_unsigned() for i in range(n))

        mask = Mux(busy, pending, mask_in)
        sign = Mux(busy, held_sign, sign_in)
        is_nonzero = Mux(busy, held_nonzero, nonzero)
        lane = Signal(range(max(n, 2)))
        for i in reversed(range(n)):  # lowest set lane wins: assigned last
            with m.If(mask[i]):
                m.d.comb += lane.eq(i)
        onehot = (Const(1, n) << lane)[:n]
        rest = mask & ~onehot

        out = self.o_stream.payload
        m.d.comb += [
            self.o_stream.valid.eq(busy | self.i_stream.valid),
            self.i_stream.ready.eq(~busy & self.o_stream.ready),
            out.lane.eq(lane),
            out.sub.eq(0 if self._fault == "sub_as_add" else sign.bit_select(lane, 1) & (mask != 0)),
            out.zero.eq(~is_nonzero.bit_select(lane, 1) & (mask != 0)),
            out.nop.eq(mask == 0),
            out.last.eq(rest == 0),
            out.skipped.eq(Mux(busy, held_skipped, zeros_in)),
        ]
        if self._tag:
            held_tag = Signal.like(chunk.tag)
            m.d.comb += out.tag.eq(Mux(busy, held_tag, chunk.tag))
            with m.If(self.i_stream.valid & self.i_stream.ready):
                m.d.sync += held_tag.eq(chunk.tag)

        with m.If(self.i_stream.valid & self.i_stream.ready):
            m.d.sync += [held_sign.eq(sign_in), held_nonzero.eq(nonzero), pending.eq(rest), held_skipped.eq(zeros_in), busy.eq(rest != 0)]
        with m.Elif(busy & self.o_stream.ready):
            m.d.sync += [pending.eq(rest), busy.eq(rest != 0)]
        return m


def default_params(arch: ImcSpec) -> dict[str, Any]:
    return {"fault": None}


def build(arch: ImcSpec, params: Mapping[str, Any]) -> SparseSkip:
    return SparseSkip(arch.skip_unit, fault=params["fault"])


BLOCK = RtlBlock(
    name="sparse_skip",
    build=build,
    default_params=default_params,
    testbench="tb_sparse_skip",
    estimate=fpga_ternary.skip_resources,
    faults=FAULTS,
)
