"""Approximate attention scores: 4-bit x 4-bit products from a lookup table, summed over D.

Each beat on ``i_stream`` carries ``lanes`` query and key elements (the query is broadcast
from its buffer beside the keys); ``last`` marks a key's final beat.  Every lane looks its
product up in a ROM indexed by the two operands' two's-complement codes (the table of
:func:`hwsim.func.sparse_attention.lut_product_table`, which Yosys maps to LUTs), an adder
tree sums the lanes, and an accumulator sums the beats of one key.  The score is registered
and offered on ``o_stream`` the cycle after the key's last beat, so n keys of
``ceil(D / lanes)`` beats take ``hwsim.sim.attention.lut_score_unit.score_cycles`` cycles.
A D that is not a multiple of ``lanes`` is padded with zero elements by the caller.

Operands are symmetric ``qk_bits`` integers (``|x| <= 2**(qk_bits-1) - 1``, as the
quantizer makes them); the score width must hold ``D`` such products.
"""

from __future__ import annotations

from amaranth import Array, Cat, Const, Module, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hwsim.func.sparse_attention import lut_product_table
from hwsim.sim.attention.lut_score_unit import accumulator_bits

FAULTS = ("unsigned_table", "drops_beat")
"""Deliberate bugs for proving the testbench: operands read as unsigned; a key's first beat lost."""


def score_input_layout(lanes: int, qk_bits: int) -> data.StructLayout:
    return data.StructLayout({
        "q": data.ArrayLayout(signed(qk_bits), lanes),
        "k": data.ArrayLayout(signed(qk_bits), lanes),
        "last": unsigned(1),
    })


class LutScoreUnit(wiring.Component):
    """One approximate-score unit.

    Parameters
    ----------
    lanes
        LUT multipliers (elements per beat), 1..256.
    head_dim
        D, the dot-product length the score width is sized for, 1..4096.
    qk_bits
        Operand width, 2..8 (4 in the reference design).
    score_bits
        Output width; default and minimum ``accumulator_bits(head_dim, qk_bits)``.
    fault
        ``None`` or one of :data:`FAULTS`.

    Members
    -------
    i_stream : In(stream.Signature(score_input_layout(lanes, qk_bits)))
        ``lanes`` query and key elements per beat, ``last`` on a key's final beat.
    o_stream : Out(stream.Signature(signed(score_bits)))
        One score per key.
    """

    def __init__(self, lanes: int, head_dim: int, qk_bits: int = 4, score_bits: int | None = None, *,
                 fault: str | None = None) -> None:
        for name, value, low, high in (("lanes", lanes, 1, 256), ("head_dim", head_dim, 1, 4096),
                                       ("qk_bits", qk_bits, 2, 8)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer in [{low}, {high}], not {value!r}")
        needed = accumulator_bits(head_dim, qk_bits)
        if score_bits is None:
            score_bits = needed
        if isinstance(score_bits, bool) or not isinstance(score_bits, int) or not needed <= score_bits <= 64:
            raise ValueError(
                f"score_bits = {score_bits!r} cannot hold a score of D = {head_dim} {qk_bits}-bit products "
                f"(needs at least {needed} bits, at most 64)"
            )
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be None or one of {FAULTS}, not {fault!r}")
        self._lanes, self._head_dim, self._qk_bits, self._score_bits = lanes, head_dim, qk_bits, score_bits
        self._fault = fault
        super().__init__({
            "i_stream": In(stream.Signature(score_input_layout(lanes, qk_bits))),
            "o_stream": Out(stream.Signature(signed(score_bits))),
        })

    @property
    def lanes(self) -> int:
        return self._lanes

    @property
    def score_bits(self) -> int:
        return self._score_bits

    def elaborate(self, platform) -> Module:
        m = Module()
        bits = self._qk_bits
        table = lut_product_table(bits)
        if self._fault == "unsigned_table":
            size = 1 << bits
            table = [[a * b for b in range(size)] for a in range(size)]
        product_bits = 2 * bits
        # ROM address = Cat(key code, query code): entry [q_code][k_code] at q_code * 2^bits + k_code
        rom = Array([Const(int(v), signed(product_bits + 1)) for row in table for v in row])
        inp, out = self.i_stream, self.o_stream
        products = [rom[Cat(inp.payload.k[lane].as_unsigned(), inp.payload.q[lane].as_unsigned())]
                    for lane in range(self._lanes)]
        beat_sum = Signal(signed(self._score_bits))
        m.d.comb += beat_sum.eq(_tree_sum(products))

        acc = Signal(signed(self._score_bits))
        first = Signal(init=1)             # the next beat starts a key
        out_valid = Signal()
        out_score = Signal(signed(self._score_bits))
        take = inp.valid & inp.ready
        m.d.comb += [
            inp.ready.eq(~out_valid | out.ready),
            out.valid.eq(out_valid),
            out.payload.eq(out_score),
        ]
        with m.If(out.valid & out.ready):
            m.d.sync += out_valid.eq(0)
        running = Signal(signed(self._score_bits))
        m.d.comb += running.eq(acc + beat_sum)
        if self._fault == "drops_beat":
            with m.If(first):
                m.d.comb += running.eq(acc)
        with m.If(take):
            m.d.sync += first.eq(inp.payload.last)
            with m.If(inp.payload.last):
                m.d.sync += [out_score.eq(running), out_valid.eq(1), acc.eq(0)]
            with m.Else():
                m.d.sync += acc.eq(running)
        return m


def _tree_sum(values: list):
    """Balanced adder tree (keeps the logic depth at log2(lanes))."""
    while len(values) > 1:
        values = [values[i] + values[i + 1] if i + 1 < len(values) else values[i] for i in range(0, len(values), 2)]
    return values[0]
