"""cocotb testbench of rtl/sparse_skip.py: random weight chunks checked against hwsim.

Reference model: ``hwsim.func.sparse_skip.issue`` (the operations) and
``hwsim.sim.blocks.sparse_skip.unit_chunk_cycles`` (cycles per chunk).
"""

from __future__ import annotations

import random

import cocotb
import numpy as np

from hwsim.func.sparse_skip import SkipOp, issue
from hwsim.sim.blocks.sparse_skip import unit_chunk_cycles
from hwsim.testbench.common import StreamBench, Transaction, context, run_and_check, field_offsets


def random_chunk(rng: random.Random, lanes: int) -> list[int]:
    """Ternary weights at a sparsity drawn from [0, 1]; 1 in 5 chunks all zero or all non-zero."""
    kind = rng.random()
    if kind < 0.1:
        return [0] * lanes
    if kind < 0.2:
        return [rng.choice((-1, 1)) for _ in range(lanes)]
    sparsity = rng.random()
    return [0 if rng.random() < sparsity else rng.choice((-1, 1)) for _ in range(lanes)]


def pack_weights(offset: int, weights: list[int]) -> int:
    return sum((w & 0b11) << (offset + 2 * i) for i, w in enumerate(weights))


def decoder(fields):
    def decode(word: int) -> tuple[SkipOp, bool]:
        get = {name: (word >> off) & ((1 << width) - 1) for name, (off, width) in fields.items()}
        op = SkipOp(get["lane"], bool(get["sub"]), bool(get["zero"]), bool(get["nop"]), bool(get["last"]), get["skipped"])
        return op, op.last
    return decode


def transactions(ctx) -> list[Transaction]:
    """``ctx.transactions`` random chunks, their operations and cycles (also the native harness's stimulus)."""
    skip = ctx.spec.skip_unit
    lanes = skip.weights_per_cycle
    chunks = [random_chunk(ctx.rng, lanes) for _ in range(ctx.transactions)]
    cycles = unit_chunk_cycles(np.array(chunks, dtype=np.int64), skip.zero_skip, skip.weights_per_cycle)
    w_off = field_offsets(ctx.design, "i_stream__payload")["weights"][0]
    return [Transaction([pack_weights(w_off, c)], issue(c, skip.zero_skip), int(n), str(c))
            for c, n in zip(chunks, cycles)]


@cocotb.test()
async def random_chunks(dut):
    ctx = context()
    trs = transactions(ctx)
    bench = StreamBench(dut, ctx.rng, decode=decoder(field_offsets(ctx.design, "o_stream__payload")))
    await run_and_check(ctx, bench, trs)
