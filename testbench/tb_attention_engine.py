"""cocotb testbench of rtl/attention_engine.py: requests of different lengths, every output
bit and every request's cycles checked.

Reference models: ``hwsim.func.attention_fixed.fixed_attention`` (every output element, bit
for bit; selection by ``hwsim.func.sparse_attention``'s 4-bit scores and top-k) and
``hwsim.sim.blocks.attention_engine.request_cycles`` (cycles per request).  One transaction
is one request: its L tokens in, its L output rows out.  Random idle input and output
back-pressure are on; their cycles are not counted (``hwsim.testbench.common``).
"""

from __future__ import annotations

import cocotb
import numpy as np

from hwsim.func.attention_fixed import OUT_BITS, fixed_attention, fixed_request
from hwsim.sim.blocks.attention_engine import request_cycles
from hwsim.testbench.common import (StreamBench, Transaction, context, field_offsets, lanes_word, pack, run_and_check,
                                    to_signed)


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


def transactions(ctx, fields) -> list[Transaction]:
    D, k, longest = ctx.params["head_dim"], ctx.params["k"], ctx.params["max_len"]
    gen = np.random.default_rng(ctx.rng.getrandbits(32))
    out = []
    for t in range(ctx.transactions):
        length = (k, longest, k + 1)[t] if t < 3 else ctx.rng.randint(k, longest)
        req = fixed_request(*request_tensors(gen, length, D, t % 4))
        beats = [pack(fields, q4=lanes_word(req.q4[i], 4), k4=lanes_word(req.k4[i], 4),
                      q8=lanes_word(req.q8[i], 8), k8=lanes_word(req.k8[i], 8), v8=lanes_word(req.v8[i], 8),
                      mult=req.mult, last=int(i == length - 1)) for i in range(length)]
        expected = [tuple(int(x) for x in row) for row in fixed_attention(req, k).out]
        out.append(Transaction(beats, expected, request_cycles(length, k), f"L={length} mult={req.mult}"))
    return out


@cocotb.test()
async def requests_of_different_lengths(dut):
    ctx = context()
    D = ctx.params["head_dim"]
    out_fields = field_offsets(ctx.design, "o_stream__payload")

    def decode(word: int):
        offset, _ = out_fields["out"]
        row = tuple(to_signed(word >> (offset + OUT_BITS * d), OUT_BITS) for d in range(D))
        offset, _ = out_fields["last"]
        return row, bool((word >> offset) & 1)

    trs = transactions(ctx, field_offsets(ctx.design, "i_stream__payload"))
    bench = StreamBench(dut, ctx.rng, decode=decode)
    await run_and_check(ctx, bench, trs)
