"""The sparse-attention engine for one head: Q/K/V memories, LUT scores, top-k, fixed-point attention.

A request is one head's sequence of L tokens.  ``i_stream`` loads it, one token per beat
(row i of the 4-bit Q/K used for selection, of the 8-bit Q/K/V of the exact step, and the
score-to-exponent multiplier), ``last`` on the final token; rows go to memories of
``max_len`` words.  Then, for each query i in turn:

* every key j is read from its memory and streamed through :class:`~hwsim.rtl.lut_score_unit.LutScoreUnit` (``lanes = D``:
  one beat per key) into :class:`~hwsim.rtl.topk_unit.TopkUnit`, which emits the k kept keys;
* as each kept key comes out, its row is read and, a cycle later, its exact 8-bit score
  ``q8_i . k8_j`` computed and the running maximum kept (overlapped with the top-k output);
* ``k`` cycles turn the scores into base-2 weights (shift + 16-entry table), one cycle divides
  ``2**32`` by their sum, ``k`` cycles accumulate ``e_j * v8_j`` over D lanes;
* the output row (D elements with 8 fraction bits) goes out on ``o_stream``, ``last`` on query L-1.

Every number is :mod:`hwsim.func.attention_fixed`'s, bit for bit, and one request takes
``hwsim.sim.blocks.attention_engine.request_cycles(L, k)`` cycles when no one stalls it.
Queries are processed one after another (no overlap): small and easy to prove, not fast.
The memories have synchronous read ports, so Yosys may map them to block RAM (it picks LUT
RAM for the shallow ones of small ``max_len``); each read costs a cycle where its data is
needed at once (feeding the score unit, the kept key's row), two per query.
"""

from __future__ import annotations

from typing import Any, Mapping

from amaranth import Array, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hwsim.func import attention_fixed as fx
from hwsim.rtl.lut_score_unit import LutScoreUnit, tree_sum
from hwsim.rtl.topk_unit import TopkUnit
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.sim.attention.lut_score_unit import accumulator_bits
from hwsim.sim.blocks.attention_engine import engine_resources
from hwsim.spec.enums import Family

FAULTS = ("no_rounding", "extra_cycle")
"""Deliberate bugs for proving the testbench: outputs truncated instead of rounded; one idle cycle per query."""


def token_layout(head_dim: int) -> data.StructLayout:
    return data.StructLayout({
        "q4": data.ArrayLayout(signed(4), head_dim),
        "k4": data.ArrayLayout(signed(4), head_dim),
        "q8": data.ArrayLayout(signed(fx.VALUE_BITS), head_dim),
        "k8": data.ArrayLayout(signed(fx.VALUE_BITS), head_dim),
        "v8": data.ArrayLayout(signed(fx.VALUE_BITS), head_dim),
        "mult": unsigned(fx.MULT_BITS),
        "last": unsigned(1),
    })


def output_layout(head_dim: int) -> data.StructLayout:
    return data.StructLayout({"out": data.ArrayLayout(signed(fx.OUT_BITS), head_dim), "last": unsigned(1)})


class Phase(enum.Enum, shape=3):
    LOAD = 0
    SELECT = 1
    EXP = 2
    DIVIDE = 3
    WAIT = 4      # only the extra_cycle fault enters it
    WEIGH = 5
    OUT = 6


class AttentionEngine(wiring.Component):
    """One head of top-k sparse attention.

    Parameters
    ----------
    head_dim
        D, 1..16.
    k
        Keys kept per query, 1..16; every request needs ``L >= k``.
    max_len
        Longest request (memory depth), 2..256.
    fault
        ``None`` or one of :data:`FAULTS`.

    Members
    -------
    i_stream : In(stream.Signature(token_layout(head_dim)))
        One token per beat, ``last`` on a request's final token.
    o_stream : Out(stream.Signature(output_layout(head_dim)))
        One output row per query, ``last`` on the request's final query.
    """

    def __init__(self, head_dim: int, k: int, max_len: int, *, fault: str | None = None) -> None:
        for name, value, low, high in (("head_dim", head_dim, 1, fx.MAX_HEAD_DIM), ("k", k, 1, fx.MAX_TOP_K),
                                       ("max_len", max_len, 2, 256)):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer in [{low}, {high}], not {value!r}")
        if k > max_len:
            raise ValueError(f"k = {k} is more than max_len = {max_len} keys")
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be None or one of {FAULTS}, not {fault!r}")
        self._d, self._k, self._max_len, self._fault = head_dim, k, max_len, fault
        super().__init__({
            "i_stream": In(stream.Signature(token_layout(head_dim))),
            "o_stream": Out(stream.Signature(output_layout(head_dim))),
        })

    def elaborate(self, platform) -> Module:
        m = Module()
        D, K = self._d, self._k
        inp, out = self.i_stream, self.o_stream
        addr = range(self._max_len + 1)
        index_bits = max(1, (self._max_len - 1).bit_length())
        approx_bits = accumulator_bits(D, 4)
        m.submodules.score = score = LutScoreUnit(D, D, 4, approx_bits)
        m.submodules.topk = topk = TopkUnit(K, approx_bits, index_bits)

        q_row = data.StructLayout({"q4": inp.payload.q4.shape(), "q8": inp.payload.q8.shape()})
        k_row = data.StructLayout({"k4": inp.payload.k4.shape(), "k8": inp.payload.k8.shape()})
        m.submodules.q_mem = q_mem = Memory(shape=q_row, depth=self._max_len, init=[])
        m.submodules.k_mem = k_mem = Memory(shape=k_row, depth=self._max_len, init=[])
        m.submodules.v_mem = v_mem = Memory(shape=inp.payload.v8.shape(), depth=self._max_len, init=[])
        q_wr, k_wr, v_wr = q_mem.write_port(), k_mem.write_port(), v_mem.write_port()
        # synchronous reads (block RAM): the data is there the cycle after the address
        q_rd = q_mem.read_port()
        k_feed = k_mem.read_port()       # keys streamed to the score unit
        k_kept = k_mem.read_port()       # the kept key top-k has just emitted
        v_rd = v_mem.read_port()

        phase = Signal(Phase)
        length = Signal(addr)      # L of the current request
        wr = Signal(addr)          # next row to load
        query = Signal(addr)       # i
        fed = Signal(addr)         # keys sent to the score unit for query i
        scored = Signal(addr)      # scores passed on to top-k
        step = Signal(range(K))    # entry of the EXP / WEIGH pass
        mult = Signal(fx.MULT_BITS)
        exact_bits = fx.score_bits(D)
        # kept entries as rotating registers: the pass over them reads entry K-1 and rotates
        exact = [Signal(signed(exact_bits), name=f"exact{j}") for j in range(K)]
        kept = [Signal(index_bits, name=f"kept{j}") for j in range(K)]
        weight = [Signal(fx.EXP_BITS + 1, name=f"weight{j}") for j in range(K)]
        top = Signal(signed(exact_bits))
        total = Signal(range(K * (1 << fx.EXP_BITS) + 1))
        recip = Signal(fx.RECIP_BITS - fx.EXP_BITS + 1)
        acc_bits = fx.EXP_BITS + 1 + fx.VALUE_BITS + K.bit_length() + 1
        acc = [Signal(signed(acc_bits), name=f"acc{d}") for d in range(D)]

        # load
        take = inp.valid & inp.ready
        m.d.comb += [inp.ready.eq(phase == Phase.LOAD)]
        for port, fields in ((q_wr, ("q4", "q8")), (k_wr, ("k4", "k8"))):
            m.d.comb += [port.addr.eq(wr), port.en.eq(take)]
            m.d.comb += [getattr(port.data, f).eq(getattr(inp.payload, f)) for f in fields]
        m.d.comb += [v_wr.addr.eq(wr), v_wr.en.eq(take), v_wr.data.eq(inp.payload.v8)]
        with m.If(take):
            m.d.sync += [mult.eq(inp.payload.mult), wr.eq(wr + 1)]
            with m.If(inp.payload.last):
                m.d.sync += [length.eq(wr + 1), wr.eq(0), query.eq(0), fed.eq(0), scored.eq(0),
                             phase.eq(Phase.SELECT)]

        # select: keys through the score unit into top-k; ``offered`` says the read port holds
        # key fed-1 for the score unit (the read advances only when that beat is taken)
        offered = Signal()
        advance = ~offered | score.i_stream.ready
        more = (phase == Phase.SELECT) & (fed < length)
        m.d.comb += [q_rd.addr.eq(query), k_feed.addr.eq(fed), k_feed.en.eq(advance),
                     score.i_stream.valid.eq(offered),
                     score.i_stream.payload.q.eq(q_rd.data.q4), score.i_stream.payload.k.eq(k_feed.data.k4),
                     score.i_stream.payload.last.eq(1)]
        with m.If(advance):
            m.d.sync += offered.eq(more)
            with m.If(more):
                m.d.sync += fed.eq(fed + 1)
        m.d.comb += [topk.i_stream.valid.eq(score.o_stream.valid), score.o_stream.ready.eq(topk.i_stream.ready),
                     topk.i_stream.payload.score.eq(score.o_stream.payload),
                     topk.i_stream.payload.last.eq(scored == length - 1)]
        with m.If(topk.i_stream.valid & topk.i_stream.ready):
            m.d.sync += scored.eq(scored + 1)

        # exact scores of the kept keys: top-k's output addresses the key, whose row arrives
        # the next cycle (``got``), when its score is computed and shifted in
        emitted = topk.o_stream.valid & topk.o_stream.ready
        got, got_last, seen = Signal(), Signal(), Signal()
        m.d.comb += [topk.o_stream.ready.eq(phase == Phase.SELECT), k_kept.addr.eq(topk.o_stream.payload.index)]
        m.d.sync += [got.eq(emitted), got_last.eq(emitted & topk.o_stream.payload.last)]
        with m.If(emitted):
            m.d.sync += [kept[0].eq(topk.o_stream.payload.index)] + [kept[j].eq(kept[j - 1]) for j in range(1, K)]
        dot = Signal(signed(exact_bits))
        m.d.comb += dot.eq(tree_sum([q_rd.data.q8[d] * k_kept.data.k8[d] for d in range(D)]))
        with m.If(got):
            m.d.sync += [exact[0].eq(dot)] + [exact[j].eq(exact[j - 1]) for j in range(1, K)]
            # running maximum: the first kept entry of a query starts it
            m.d.sync += seen.eq(~got_last)
            with m.If(~seen | (dot > top)):
                m.d.sync += top.eq(dot)
            with m.If(got_last):
                m.d.sync += [phase.eq(Phase.EXP), step.eq(0), total.eq(0)]

        # exp: e = table[x mod 16] >> (x >> 4), x = ((top - s) * mult) >> 16
        table = Array([Const(v, fx.EXP_BITS + 1) for v in fx.EXP2_TABLE])
        distance = Signal(exact_bits + 1 + fx.MULT_BITS - fx.MULT_FRAC_BITS)
        m.d.comb += distance.eq(((top - exact[K - 1]) * mult) >> fx.MULT_FRAC_BITS)
        whole = distance[fx.FRAC_BITS:]
        e = Signal(fx.EXP_BITS + 1)
        m.d.comb += e.eq(Mux(whole > fx.EXP_BITS, 0, table[distance[:fx.FRAC_BITS]] >> whole[:4]))
        last_step = step == K - 1
        with m.If(phase == Phase.EXP):
            m.d.sync += [weight[0].eq(e), total.eq(total + e), step.eq(step + 1)]
            m.d.sync += [weight[j].eq(weight[j - 1]) for j in range(1, K)]
            m.d.sync += [exact[0].eq(exact[K - 1])] + [exact[j].eq(exact[j - 1]) for j in range(1, K)]
            with m.If(last_step):
                m.d.sync += [phase.eq(Phase.DIVIDE), step.eq(0)]
        with m.If(phase == Phase.DIVIDE):
            m.d.sync += [recip.eq(Const(1 << fx.RECIP_BITS) // total)] + [a.eq(0) for a in acc]
            m.d.sync += phase.eq(Phase.WAIT if self._fault == "extra_cycle" else Phase.WEIGH)
        with m.If(phase == Phase.WAIT):
            m.d.sync += phase.eq(Phase.WEIGH)

        # weigh: acc_d += e_j * v8_jd, entry K-1 each cycle; the V row is read a cycle ahead
        # (entry K-1 before the pass, then the entry that rotates into K-1 next)
        m.d.comb += v_rd.addr.eq(Mux(phase == Phase.WEIGH, kept[K - 2] if K > 1 else kept[0], kept[K - 1]))
        with m.If(phase == Phase.WEIGH):
            m.d.sync += [acc[d].eq(acc[d] + weight[K - 1] * v_rd.data[d]) for d in range(D)]
            m.d.sync += [weight[0].eq(weight[K - 1])] + [weight[j].eq(weight[j - 1]) for j in range(1, K)]
            m.d.sync += [kept[0].eq(kept[K - 1])] + [kept[j].eq(kept[j - 1]) for j in range(1, K)]
            m.d.sync += step.eq(step + 1)
            with m.If(last_step):
                m.d.sync += [phase.eq(Phase.OUT), step.eq(0)]

        # out: round acc * recip to OUT_FRAC_BITS fraction bits
        shift = fx.RECIP_BITS - fx.OUT_FRAC_BITS
        half = 0 if self._fault == "no_rounding" else 1 << (shift - 1)
        final = query == length - 1
        m.d.comb += [out.valid.eq(phase == Phase.OUT), out.payload.last.eq(final)]
        m.d.comb += [out.payload.out[d].eq((acc[d] * recip + half) >> shift) for d in range(D)]
        with m.If(out.valid & out.ready):
            m.d.sync += [query.eq(query + 1), fed.eq(0), scored.eq(0), phase.eq(Phase.SELECT)]
            with m.If(final):
                m.d.sync += phase.eq(Phase.LOAD)
        return m


def default_params(spec: Any) -> dict[str, Any]:
    """D = 4, k = 4 of at most 16 tokens: small enough for CI."""
    return {"head_dim": 4, "k": min(4, spec.topk_unit.k_max), "max_len": 16, "fault": None}


def build(spec: Any, params: Mapping[str, Any]) -> AttentionEngine:
    if params["k"] > spec.topk_unit.k_max:
        raise ValueError(f"k = {params['k']} exceeds topk_unit.k_max = {spec.topk_unit.k_max} of arch '{spec.name}'")
    return AttentionEngine(params["head_dim"], params["k"], params["max_len"], fault=params["fault"])


BLOCK = RtlBlock(
    name="attention_engine",
    build=build,
    default_params=default_params,
    testbench="tb_attention_engine",
    estimate=engine_resources,
    family=Family.ATTENTION,
    default_arch="sparse-attn-fpga",
    faults=FAULTS,
    drop_zero_memory_init=True,
)
