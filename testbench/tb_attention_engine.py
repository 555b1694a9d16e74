"""cocotb testbench of rtl/attention_engine.py: requests of different lengths back to back,
every output bit and every request's cycles checked.

Reference models: ``hwsim.func.attention_fixed.fixed_attention`` (every output element, bit
for bit; selection by ``hwsim.func.sparse_attention``'s 4-bit scores and top-k) and
``hwsim.sim.blocks.attention_engine.schedule`` (the cycle of every token and output row).
Requests overlap in the pipeline, so the usual per-transaction count (``hwsim.testbench.common``)
does not apply; the requests run twice instead:

1. at full rate (tokens always offered, rows always taken): every token accepted and every
   output row taken in the cycle the schedule says (cycle 0 = the first token), every output
   equal to the reference;
2. the same requests again with random idle input and output back-pressure: outputs only.

The summary adds each request's ``length`` and measured ``start`` (its first score into
top-k: its first row's cycle less the schedule's latency from start to first row).
"""

from __future__ import annotations

import json

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge, RisingEdge

from hwsim.func.attention_fixed import OUT_BITS, fixed_attention, fixed_request
from hwsim.sim.blocks.attention_engine import schedule
from hwsim.testbench.common import (StreamBench, Transaction, context, field_offsets, lanes_word, pack, to_signed,
                                    write_failure)


def request_tensors(gen: np.random.Generator, length: int, head_dim: int, kind: int):
    """Float Q, K, V of one request: Gaussian, few distinct values (ties in the 4-bit scores),
    one dominant key, or an all-zero Q (every score ties, ``mult`` is 0, the weights uniform)."""
    if kind == 3:
        return np.zeros((length, head_dim)), gen.normal(size=(length, head_dim)), gen.normal(size=(length, head_dim))
    if kind == 1:
        return tuple(gen.integers(-1, 2, size=(length, head_dim)).astype(float) for _ in range(3))
    if kind == 2:  # one dominant key: the softmax is nearly one-hot
        q, k, v = (gen.normal(size=(length, head_dim)) for _ in range(3))
        k[gen.integers(length)] *= 8.0
        return q, k, v
    return tuple(gen.normal(size=(length, head_dim)) for _ in range(3))


def request_lengths(ctx) -> list[int]:
    """k, ``max_len``, k + 1, then random in [k, ``max_len``]."""
    k, longest = ctx.params["k"], ctx.params["max_len"]
    return [(k, longest, k + 1)[t] if t < 3 else ctx.rng.randint(k, longest) for t in range(ctx.transactions)]


def transactions(ctx, fields) -> list[Transaction]:
    """One transaction per request; its cycles are the schedule's, first token to last row."""
    D, k = ctx.params["head_dim"], ctx.params["k"]
    lengths = request_lengths(ctx)
    gen = np.random.default_rng(ctx.rng.getrandbits(32))
    out = []
    for t, (length, timing) in enumerate(zip(lengths, schedule(lengths, k))):
        req = fixed_request(*request_tensors(gen, length, D, t % 4))
        beats = [pack(fields, q4=lanes_word(req.q4[i], 4), k4=lanes_word(req.k4[i], 4),
                      q8=lanes_word(req.q8[i], 8), k8=lanes_word(req.k8[i], 8), v8=lanes_word(req.v8[i], 8),
                      mult=req.mult, last=int(i == length - 1)) for i in range(length)]
        expected = [tuple(int(x) for x in row) for row in fixed_attention(req, k).out]
        out.append(Transaction(beats, expected, timing.end - timing.load_start + 1, f"L={length} mult={req.mult}"))
    return out


async def full_rate(dut, trs: list[Transaction], decode, limit: int):
    """Phase 1: returns each token's and each output row's (cycle, value), cycle 0 = first token."""
    beats = [b for tr in trs for b in tr.beats]
    rows_wanted = sum(len(tr.expected) for tr in trs)
    tokens, rows = [], []
    cycle, first = 0, None
    while len(rows) < rows_wanted:
        if cycle > limit:
            raise AssertionError(f"stuck at full rate: {len(rows)} of {rows_wanted} output rows after {cycle} cycles")
        await RisingEdge(dut.clk)
        dut.i_stream__valid.value = int(len(tokens) < len(beats))
        if len(tokens) < len(beats):
            dut.i_stream__payload.value = beats[len(tokens)]
        dut.o_stream__ready.value = 1
        await FallingEdge(dut.clk)
        if int(dut.i_stream__valid.value) and int(dut.i_stream__ready.value):
            first = cycle if first is None else first
            tokens.append(cycle - first)
        if int(dut.o_stream__valid.value):
            rows.append((cycle - first, decode(int(dut.o_stream__payload.value))))
        cycle += 1
    dut.i_stream__valid.value = 0
    return tokens, rows, cycle


@cocotb.test()
async def requests_of_different_lengths(dut):
    ctx = context()
    D, k = ctx.params["head_dim"], ctx.params["k"]
    out_fields = field_offsets(ctx.design, "o_stream__payload")

    def decode(word: int):
        offset, _ = out_fields["out"]
        row = tuple(to_signed(word >> (offset + OUT_BITS * d), OUT_BITS) for d in range(D))
        offset, _ = out_fields["last"]
        return row, bool((word >> offset) & 1)

    trs = transactions(ctx, field_offsets(ctx.design, "i_stream__payload"))
    lengths = [len(tr.beats) for tr in trs]
    timings = schedule(lengths, k)
    bench = StreamBench(dut, ctx.rng, decode=decode)
    await bench.reset()
    try:
        tokens, rows, full_cycles = await full_rate(dut, trs, decode, limit=20 * timings[-1].end + 1000)
        records = await bench.run(trs, max_cycles=20 * sum(t.predicted_cycles for t in trs) + 1000)
    except AssertionError as exc:
        write_failure(ctx, trs, exc)
        raise

    out_bad, cyc_bad, first, starts = 0, 0, [], []
    token_at, row_at = 0, 0
    for t, (tr, timing, rec) in enumerate(zip(trs, timings, records)):
        got_tokens = tokens[token_at:token_at + timing.length]
        got = rows[row_at:row_at + timing.length]
        token_at += timing.length
        row_at += timing.length
        want_tokens = list(range(timing.load_start, timing.load_end + 1))
        values = [row for _, (row, _) in got]
        lasts = [ends for _, (_, ends) in got]
        starts.append(got[0][0] - (timing.rows[0] - timing.start))
        if values != tr.expected or rec.outputs != tr.expected or lasts != [False] * (timing.length - 1) + [True]:
            out_bad += 1
            if len(first) < 5:
                which = values if values != tr.expected else rec.outputs
                first.append(f"transaction {t} {tr.label}: outputs {which} != expected {tr.expected}")
        if got_tokens != want_tokens or [c for c, _ in got] != list(timing.rows):
            cyc_bad += 1
            if len(first) < 5:
                first.append(f"transaction {t} {tr.label}: tokens in cycles {got_tokens[0]}..{got_tokens[-1]}, rows "
                             f"{[c for c, _ in got]} != predicted {timing.load_start}..{timing.load_end}, "
                             f"{list(timing.rows)}")
    summary = {
        "transactions": len(trs), "cycles_simulated": full_cycles + bench.cycles,
        "cycles_checked": timings[-1].end + 1, "output_mismatches": out_bad, "cycle_mismatches": cyc_bad,
        "first_mismatches": first, "lengths": lengths, "starts": starts,
    }
    if ctx.summary_path is not None:
        ctx.summary_path.write_text(json.dumps(summary, indent=2) + "\n")
    assert out_bad == 0 and cyc_bad == 0, "; ".join(first)
