"""cocotb testbench of rtl/topk_unit.py: random queries, many ties, checked against hwsim.

Reference model: ``hwsim.func.sparse_attention.topk_indices`` (kept keys, tie rule and order)
and ``hwsim.sim.attention.topk_unit.topk_query_cycles`` (cycles per query).  One transaction
is one query: its scores in, its ``min(k, L)`` (index, score) pairs out.
"""

from __future__ import annotations

import random

import cocotb
import numpy as np

from hwsim.func.sparse_attention import approximate_scores, quantize_per_tensor, topk_indices
from hwsim.sim.attention.topk_unit import topk_query_cycles
from hwsim.testbench.common import StreamBench, Transaction, context, field_offsets, pack, run_and_check, to_signed


def query_scores(rng: random.Random, length: int, score_bits: int) -> list[int]:
    """Scores with many ties (a narrow range), the width's extremes, or real 4-bit scores."""
    lo, hi = -(1 << (score_bits - 1)), (1 << (score_bits - 1)) - 1
    kind = rng.random()
    if kind < 0.4:  # narrow range: ties everywhere
        return [rng.randint(-2, 2) for _ in range(length)]
    if kind < 0.6:  # extremes and plateaus
        return [rng.choice([lo, hi, 0, hi, lo + 1]) for _ in range(length)]
    if kind < 0.8 or score_bits < 13:
        return [rng.randint(lo, hi) for _ in range(length)]
    # approximate scores of one query against L keys, D = 64, 4-bit Q and K (what the unit sees)
    gen = np.random.default_rng(rng.getrandbits(32))
    q = quantize_per_tensor(gen.normal(size=(1, 64))).values
    k = quantize_per_tensor(gen.normal(size=(length, 64))).values
    return approximate_scores(q, k)[0].tolist()


def transactions(ctx, fields) -> list[Transaction]:
    k, s, i = ctx.params["k"], ctx.params["score_bits"], ctx.params["index_bits"]
    longest = min(1 << i, 3 * k + 8)
    out = []
    for t in range(ctx.transactions):
        length = ctx.rng.choice([1, k, k + 1, longest]) if t % 4 == 0 else ctx.rng.randint(1, longest)
        scores = query_scores(ctx.rng, length, s)
        keep = topk_indices(np.array(scores), min(k, length)).tolist()
        beats = [pack(fields, score=v, last=int(j == length - 1)) for j, v in enumerate(scores)]
        out.append(Transaction(beats, [(j, scores[j]) for j in keep], int(topk_query_cycles(length, k)),
                               f"L={length} scores={scores[:12]}"))
    return out


@cocotb.test()
async def random_queries(dut):
    ctx = context()
    out_fields = field_offsets(ctx.design, "o_stream__payload")
    s = ctx.params["score_bits"]

    def decode(word: int):
        def field(name):
            offset, width = out_fields[name]
            return (word >> offset) & ((1 << width) - 1)
        return (field("index"), to_signed(field("score"), s)), bool(field("last"))

    trs = transactions(ctx, field_offsets(ctx.design, "i_stream__payload"))
    bench = StreamBench(dut, ctx.rng, decode=decode)
    await run_and_check(ctx, bench, trs)
