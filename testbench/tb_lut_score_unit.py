"""cocotb testbench of rtl/lut_score_unit.py: random 4-bit queries and keys, checked against hwsim.

Reference model: ``hwsim.func.sparse_attention.approximate_scores`` (each score) and
``hwsim.sim.attention.lut_score_unit.score_cycles`` (cycles per key).  One transaction is
one key: ``ceil(D / lanes)`` beats of query and key lanes in, one score out.
"""

from __future__ import annotations

import cocotb
import numpy as np

from hwsim.func.sparse_attention import approximate_scores, max_level
from hwsim.sim.attention.lut_score_unit import beats_per_score, score_cycles
from hwsim.testbench.common import (StreamBench, Transaction, context, field_offsets, lanes_word, pack, run_and_check,
                                    to_signed)


def transactions(ctx, fields) -> list[Transaction]:
    lanes, D, bits = ctx.params["lanes"], ctx.params["head_dim"], ctx.params["qk_bits"]
    level = max_level(bits)
    beats = beats_per_score(D, lanes)
    gen = np.random.default_rng(ctx.rng.getrandbits(32))
    out = []
    q = None
    for t in range(ctx.transactions):
        if t % 8 == 0:  # a new query every 8 keys
            q = gen.integers(-level, level + 1, size=D)
        kind = t % 5
        if kind == 0:
            key = level * np.sign(q) * (1 if t % 10 == 0 else -1)   # the extreme scores +-D*level^2
        elif kind == 1:
            key = np.zeros(D, dtype=int)
        else:
            key = gen.integers(-level, level + 1, size=D)
        qp, kp = np.zeros(beats * lanes, dtype=int), np.zeros(beats * lanes, dtype=int)
        qp[:D], kp[:D] = q, key
        words = [pack(fields, q=lanes_word(qp[b * lanes:(b + 1) * lanes], bits),
                      k=lanes_word(kp[b * lanes:(b + 1) * lanes], bits), last=int(b == beats - 1))
                 for b in range(beats)]
        score = int(approximate_scores(q[None, :], key[None, :])[0, 0])
        out.append(Transaction(words, [score], score_cycles(1, D, lanes), f"key {t}"))
    return out


@cocotb.test()
async def random_keys(dut):
    ctx = context()
    width = next(p["width"] for p in ctx.design["ports"] if p["name"] == "o_stream__payload")
    trs = transactions(ctx, field_offsets(ctx.design, "i_stream__payload"))
    bench = StreamBench(dut, ctx.rng, decode=lambda word: (to_signed(word, width), True))
    await run_and_check(ctx, bench, trs)
