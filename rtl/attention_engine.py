"""The sparse-attention engine for one head: Q/K/V memories, LUT scores, top-k, fixed-point attention.

A request is one head's sequence of L tokens.  ``i_stream`` loads it, one token per beat
(row i of the 4-bit Q/K used for selection, of the 8-bit Q/K/V of the exact step, and the
score-to-exponent multiplier), ``last`` on the final token, into one of two banks of the
memories, so the next request loads while this one runs.  Then three stages, each query
passing through them in order while the next query is one stage behind:

* **selection**: key j of query i is read and streamed through
  :class:`~hwsim.rtl.lut_score_unit.LutScoreUnit` (``lanes = D``: one beat per key) into
  :class:`~hwsim.rtl.topk_unit.TopkUnit`, which emits the k kept keys; each kept key's row is
  read and, a cycle later, its exact 8-bit score ``q8_i . k8_j`` computed and the running
  maximum kept.  The feed runs ahead into the next query (and request) while top-k emits;
* **weighing**: the k entries are copied out (so the next query's selection can refill them),
  then k cycles turn one entry each into its base-2 weight ``e`` (shift + 16-entry table),
  registered, and its V row is read; a cycle later ``e`` joins the total and ``e * v8`` the D
  accumulators.  The next query's entries are copied in while the last weight is accumulated;
* **normalising**: ``2**32 // total`` by restoring long division, ``18 / divide_cycles(k)``
  quotient bits a cycle; the output row (D elements with 8 fraction bits) goes out on
  ``o_stream``, ``last`` on the request's final query.

Selection is the bottleneck (``L + k >= 2k`` cycles a query against ``k + 1`` for weighing and
``divide_cycles(k) + 1 <= 2k`` for normalising), so a request holds the engine ``L (L + k)``
cycles; the cycle of every token and output row is
``hwsim.sim.blocks.attention_engine.schedule``'s when no one stalls it.
A bank is freed for the next load once its last query's V rows are read.  Every number is
:mod:`hwsim.func.attention_fixed`'s, bit for bit.  The memories (one per field and reader,
so one read port each) have synchronous read ports, so Yosys may map them to block RAM.
"""

from __future__ import annotations

from typing import Any, Mapping

from amaranth import Array, Cat, Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hwsim.func import attention_fixed as fx
from hwsim.rtl.lut_score_unit import LutScoreUnit, tree_sum
from hwsim.rtl.topk_unit import TopkUnit, check_k
from hwsim.rtlflow.blocks import RtlBlock
from hwsim.sim.attention.lut_score_unit import accumulator_bits
from hwsim.rtl.long_division import division_rows
from hwsim.sim.blocks.attention_engine import QUOTIENT_BITS, divide_cycles, engine_resources, weighted_sum_bits
from hwsim.sim.blocks.attention_engine import row_bits as row_address_bits
from hwsim.spec.enums import Family

FAULTS = ("no_rounding", "extra_cycle", "early_free")
"""Deliberate bugs for proving the testbench: outputs truncated instead of rounded; one idle cycle per
query; a bank freed for the next load when its last query is selected, before its V rows are read."""


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
        row_bits = row_address_bits(self._max_len)
        approx_bits = accumulator_bits(D, 4)
        m.submodules.score = score = LutScoreUnit(D, D, 4, approx_bits)
        m.submodules.topk = topk = TopkUnit(K, approx_bits, row_bits)

        # one memory per field and reader, two banks each: address Cat(row, bank)
        def memory(name: str, shape):
            mem = Memory(shape=shape, depth=2 << row_bits, init=[])
            m.submodules[name] = mem
            return mem.write_port(), mem.read_port()

        ports = {f: memory(f"{f}_mem", getattr(inp.payload, f).shape()) for f in ("q4", "k4", "q8", "k8", "v8")}
        q4_rd, k4_rd, q8_rd, k8_rd, v_rd = (ports[f][1] for f in ("q4", "k4", "q8", "k8", "v8"))

        # per bank: a request's length and multiplier, ``busy`` from its last token until its
        # last query's V rows are read, ``loaded`` until the key feed starts on it
        busy = Array(Signal(name=f"busy{b}") for b in range(2))
        loaded = Array(Signal(name=f"loaded{b}") for b in range(2))
        length = Array(Signal(range(self._max_len + 1), name=f"length{b}") for b in range(2))
        mult = Array(Signal(fx.MULT_BITS, name=f"mult{b}") for b in range(2))

        # load
        l_bank, wr = Signal(), Signal(row_bits)
        take = inp.valid & inp.ready
        m.d.comb += inp.ready.eq(~busy[l_bank])
        for f, (port, _) in ports.items():
            m.d.comb += [port.addr.eq(Cat(wr, l_bank)), port.en.eq(take), port.data.eq(getattr(inp.payload, f))]
        with m.If(take):
            m.d.sync += wr.eq(wr + 1)
            with m.If(inp.payload.last):
                m.d.sync += [wr.eq(0), length[l_bank].eq(wr + 1), mult[l_bank].eq(inp.payload.mult),
                             busy[l_bank].eq(1), loaded[l_bank].eq(1), l_bank.eq(~l_bank)]

        # key feed: query i's keys to the score unit; ``offered`` says the read ports hold a
        # key for it (they advance only when that beat is taken)
        f_bank, f_active = Signal(), Signal()
        f_query, f_key = Signal(row_bits), Signal(row_bits)
        f_len = length[f_bank]
        offered = Signal()
        advance = ~offered | score.i_stream.ready
        m.d.comb += [q4_rd.addr.eq(Cat(f_query, f_bank)), k4_rd.addr.eq(Cat(f_key, f_bank)),
                     q4_rd.en.eq(advance), k4_rd.en.eq(advance),
                     score.i_stream.valid.eq(offered), score.i_stream.payload.q.eq(q4_rd.data),
                     score.i_stream.payload.k.eq(k4_rd.data), score.i_stream.payload.last.eq(1)]
        with m.If(advance):
            m.d.sync += offered.eq(f_active)
            with m.If(f_active):
                m.d.sync += f_key.eq(f_key + 1)
                with m.If(f_key == f_len - 1):
                    m.d.sync += [f_key.eq(0), f_query.eq(f_query + 1)]
                    with m.If(f_query == f_len - 1):
                        m.d.sync += [f_query.eq(0), f_active.eq(0), f_bank.eq(~f_bank)]
        with m.If(~f_active & loaded[f_bank]):
            m.d.sync += [f_active.eq(1), loaded[f_bank].eq(0)]

        # top-k input: which request and query the scores belong to; at a query's last score
        # its identity passes to the output side (top-k takes no input while it emits)
        t_bank, t_query, scored = Signal(), Signal(row_bits), Signal(row_bits)
        t_len = length[t_bank]
        o_bank, o_query, o_final = Signal(), Signal(row_bits), Signal()
        m.d.comb += [topk.i_stream.valid.eq(score.o_stream.valid), score.o_stream.ready.eq(topk.i_stream.ready),
                     topk.i_stream.payload.score.eq(score.o_stream.payload),
                     topk.i_stream.payload.last.eq(scored == t_len - 1)]
        with m.If(topk.i_stream.valid & topk.i_stream.ready):
            m.d.sync += scored.eq(scored + 1)
            with m.If(topk.i_stream.payload.last):
                m.d.sync += [scored.eq(0), o_bank.eq(t_bank), o_query.eq(t_query),
                             o_final.eq(t_query == t_len - 1), t_query.eq(t_query + 1)]
                with m.If(t_query == t_len - 1):
                    m.d.sync += [t_query.eq(0), t_bank.eq(~t_bank)]

        # exact scores of the kept keys: top-k's output addresses the key, whose row arrives
        # the next cycle (``got``), when its score is computed and shifted in; ``sel_full``
        # holds the query's k entries until the weighing stage copies them
        exact_bits = fx.score_bits(D)
        exact = [Signal(signed(exact_bits), name=f"exact{j}") for j in range(K)]
        kept = [Signal(row_bits, name=f"kept{j}") for j in range(K)]
        top = Signal(signed(exact_bits))
        sel_full, s_bank, s_final = Signal(), Signal(), Signal()
        w_busy, w_handoff = Signal(), Signal()
        w_take = sel_full & (~w_busy | w_handoff)   # a new query's entries as the last one leaves
        if self._fault == "extra_cycle":
            primed = Signal()      # the broken variant lets top-k's first output wait a cycle
            with m.If(topk.o_stream.valid):
                m.d.sync += primed.eq(1)
        else:
            primed = Const(1)
        m.d.comb += topk.o_stream.ready.eq((~sel_full | w_take) & primed)
        emitted = topk.o_stream.valid & topk.o_stream.ready
        if self._fault == "extra_cycle":
            with m.If(emitted & topk.o_stream.payload.last):
                m.d.sync += primed.eq(0)
        got, got_last, seen = Signal(), Signal(), Signal()
        m.d.comb += [q8_rd.addr.eq(Cat(o_query, o_bank)), k8_rd.addr.eq(Cat(topk.o_stream.payload.index, o_bank))]
        m.d.sync += [got.eq(emitted), got_last.eq(emitted & topk.o_stream.payload.last)]
        with m.If(emitted):
            m.d.sync += [kept[0].eq(topk.o_stream.payload.index)] + [kept[j].eq(kept[j - 1]) for j in range(1, K)]
        dot = Signal(signed(exact_bits))
        m.d.comb += dot.eq(tree_sum([q8_rd.data[d] * k8_rd.data[d] for d in range(D)]))
        with m.If(w_take):
            m.d.sync += sel_full.eq(0)
        with m.If(got):
            m.d.sync += [exact[0].eq(dot)] + [exact[j].eq(exact[j - 1]) for j in range(1, K)]
            m.d.sync += seen.eq(~got_last)     # the first kept entry of a query starts the maximum
            with m.If(~seen | (dot > top)):
                m.d.sync += top.eq(dot)
            with m.If(got_last):
                m.d.sync += [sel_full.eq(1), s_bank.eq(o_bank), s_final.eq(o_final)]
                if self._fault == "early_free":
                    with m.If(o_final):
                        m.d.sync += busy[o_bank].eq(0)

        # weigh, two steps deep: in step j entry j (K-1 of the rotating copies) becomes its
        # weight e (distance to the maximum, table, shift) and its V row is read; in step j+1
        # acc_d += e v8_d and total += e.  Step K accumulates the last entry and hands the sums
        # to the normalising stage (waiting for it if it is still busy); the next query's
        # entries may be copied in that cycle.
        w_bank, w_final, w_step = Signal(), Signal(), Signal(range(K + 1))
        w_exact = [Signal(signed(exact_bits), name=f"w_exact{j}") for j in range(K)]
        w_kept = [Signal(row_bits, name=f"w_kept{j}") for j in range(K)]
        w_top = Signal(signed(exact_bits))
        acc_bits = weighted_sum_bits(K)
        acc = [Signal(signed(acc_bits), name=f"acc{d}") for d in range(D)]
        total = Signal(range(K * (1 << fx.EXP_BITS) + 1))
        table = Array([Const(v, fx.EXP_BITS + 1) for v in fx.EXP2_TABLE])
        distance = Signal(exact_bits + 1 + fx.MULT_BITS - fx.MULT_FRAC_BITS)
        m.d.comb += distance.eq(((w_top - w_exact[K - 1]) * mult[w_bank]) >> fx.MULT_FRAC_BITS)
        whole = distance[fx.FRAC_BITS:]
        e, weight = Signal(fx.EXP_BITS + 1), Signal(fx.EXP_BITS + 1)
        m.d.comb += e.eq(Mux(whole > fx.EXP_BITS, 0, table[distance[:fx.FRAC_BITS]] >> whole[:4]))
        n_busy = Signal()
        n_free = ~n_busy | (out.valid & out.ready)
        w_weighing = w_busy & (w_step != K)
        m.d.comb += [w_handoff.eq(w_busy & (w_step == K) & n_free),
                     v_rd.addr.eq(Cat(w_kept[K - 1], w_bank)), v_rd.en.eq(w_weighing)]
        weighted = [acc[d] + weight * v_rd.data[d] for d in range(D)]
        with m.If(w_weighing):
            m.d.sync += [weight.eq(e), w_step.eq(w_step + 1)]
            m.d.sync += [w_exact[0].eq(w_exact[K - 1])] + [w_exact[j].eq(w_exact[j - 1]) for j in range(1, K)]
            m.d.sync += [w_kept[0].eq(w_kept[K - 1])] + [w_kept[j].eq(w_kept[j - 1]) for j in range(1, K)]
            with m.If(w_step != 0):
                m.d.sync += [acc[d].eq(weighted[d]) for d in range(D)] + [total.eq(total + weight)]
            if self._fault != "early_free":
                with m.If(w_final & (w_step == K - 1)):   # its last V row is being read
                    m.d.sync += busy[w_bank].eq(0)
        with m.If(w_handoff):
            m.d.sync += w_busy.eq(0)
        with m.If(w_take):
            m.d.sync += [w_busy.eq(1), w_step.eq(0), w_bank.eq(s_bank), w_final.eq(s_final), w_top.eq(top),
                         total.eq(0)] + [a.eq(0) for a in acc]
            m.d.sync += [w.eq(x) for w, x in zip(w_exact + w_kept, exact + kept)]

        # normalise: recip = 2**32 // total, a few quotient bits a cycle (remainder from 2**14,
        # so the first doubling gives 2**32 >> 17), then the output row (D products, rounded)
        n_out, n_final = Signal(), Signal()
        n_acc = [Signal(signed(acc_bits), name=f"n_acc{d}") for d in range(D)]
        n_total = Signal.like(total)
        cycles = divide_cycles(K)
        n_count = Signal(range(cycles))
        rem, recip = Signal(len(n_total)), Signal(QUOTIENT_BITS)
        next_rem, next_recip = division_rows(m, rem, recip, n_total, QUOTIENT_BITS // cycles)
        with m.If(n_busy & ~n_out):
            m.d.sync += [rem.eq(next_rem), recip.eq(next_recip), n_count.eq(n_count + 1)]
            with m.If(n_count == cycles - 1):
                m.d.sync += [n_out.eq(1), n_count.eq(0)]
        shift = fx.RECIP_BITS - fx.OUT_FRAC_BITS
        half = 0 if self._fault == "no_rounding" else 1 << (shift - 1)
        m.d.comb += [out.valid.eq(n_busy & n_out), out.payload.last.eq(n_final)]
        m.d.comb += [out.payload.out[d].eq((n_acc[d] * recip + half) >> shift) for d in range(D)]
        with m.If(out.valid & out.ready):
            m.d.sync += [n_busy.eq(0), n_out.eq(0)]
        with m.If(w_handoff):
            m.d.sync += [n_busy.eq(1), n_out.eq(0), n_final.eq(w_final), n_total.eq(total + weight),
                         rem.eq(1 << (fx.EXP_BITS - 1)), recip.eq(0), n_count.eq(0)]
            m.d.sync += [n.eq(w) for n, w in zip(n_acc, weighted)]
        return m


def default_params(spec: Any) -> dict[str, Any]:
    """D = 4, k = 4 of at most 16 tokens: small enough for CI."""
    return {"head_dim": 4, "k": min(4, spec.topk_unit.k_max), "max_len": 16, "fault": None}


def build(spec: Any, params: Mapping[str, Any]) -> AttentionEngine:
    check_k(spec, params["k"])
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
