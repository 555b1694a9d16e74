"""Approximate attention scores: 4-bit x 4-bit products from a lookup table, summed over D.

Each beat on ``i_stream`` carries ``lanes`` query and key elements (the query is broadcast
from its buffer beside the keys); ``last`` marks a key's final beat.  Every lane looks the
product of the operands' magnitudes up in a ROM (the table of
:func:`hwsim.func.sparse_attention.lut_magnitude_table`: for 4-bit operands a 6-bit address,
so one LUT6 per product bit) and negates it when exactly one operand is negative; an adder
tree sums the lanes, and an accumulator sums the beats of one key.  The score is registered
and offered on ``o_stream`` the cycle after the key's last beat, so n keys of
``ceil(D / lanes)`` beats take ``hwsim.sim.attention.lut_score_unit.score_cycles`` cycles.
A D that is not a multiple of ``lanes`` is padded with zero elements by the caller.

Operands are symmetric ``qk_bits`` integers (``|x| <= 2**(qk_bits-1) - 1``, as the
quantizer makes them); the score width must hold ``D`` such products.
"""

from __future__ import annotations

from typing import Any, Mapping

from amaranth import Array, Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hwsim.func.sparse_attention import lut_magnitude_table
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.sim.attention.fpga_estimate import lut_score_resources
from hwsim.sim.attention.lut_score_unit import accumulator_bits
from hwsim.spec.enums import Family

FAULTS = ("ignores_sign", "drops_beat")
"""Deliberate bugs for proving the testbench: the product's sign is dropped; a key's first beat lost."""


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
        mag_bits = bits - 1
        table = lut_magnitude_table(bits)
        # ROM address = Cat(|k|, |q|): entry [|q|][|k|] at |q| * 2^(bits-1) + |k|
        rom = Array([Const(int(v), unsigned(2 * mag_bits)) for row in table for v in row])
        inp, out = self.i_stream, self.o_stream
        products = []
        for lane in range(self._lanes):
            q, k = inp.payload.q[lane], inp.payload.k[lane]
            q_neg, k_neg = q[bits - 1], k[bits - 1]
            q_mag = Mux(q_neg, -q, q)[:mag_bits]
            k_mag = Mux(k_neg, -k, k)[:mag_bits]
            magnitude = Signal(2 * mag_bits, name=f"mag{lane}")
            m.d.comb += magnitude.eq(rom[Cat(k_mag, q_mag)])
            negative = 0 if self._fault == "ignores_sign" else q_neg ^ k_neg
            product = Signal(signed(2 * mag_bits + 1), name=f"product{lane}")
            m.d.comb += product.eq(Mux(negative, -magnitude, magnitude))
            products.append(product)
        beat_sum = Signal(signed(self._score_bits))
        m.d.comb += beat_sum.eq(tree_sum(products))

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


def tree_sum(values: list):
    """Balanced adder tree (keeps the logic depth at log2(lanes))."""
    while len(values) > 1:
        values = [values[i] + values[i + 1] if i + 1 < len(values) else values[i] for i in range(0, len(values), 2)]
    return values[0]


def default_params(spec: Any) -> dict[str, Any]:
    """The arch's lanes per score unit, D = 64, 4-bit Q and K, the minimum score width."""
    return {"lanes": spec.score_engine.lanes, "head_dim": 64, "qk_bits": 4, "score_bits": None, "fault": None}


def build(spec: Any, params: Mapping[str, Any]) -> LutScoreUnit:
    return LutScoreUnit(params["lanes"], params["head_dim"], params["qk_bits"], params["score_bits"],
                        fault=params["fault"])


BLOCK = RtlBlock(
    name="lut_score_unit",
    build=build,
    default_params=default_params,
    testbench="tb_lut_score_unit",
    estimate=lut_score_resources,
    family=Family.ATTENTION,
    default_arch="sparse-attn-fpga",
    faults=FAULTS,
)
