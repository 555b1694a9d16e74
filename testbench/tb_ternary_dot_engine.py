"""cocotb testbench of rtl/ternary_dot_engine.py: random tiles checked against hwsim.

Reference model: ``hwsim.func.ternary_dot_engine.dot_tile`` (every column's sum) and
``hwsim.sim.blocks.ternary_dot_engine.tile_cycles`` (cycles per tile, the same per-chunk work
the IMC layer engine sums).
"""

from __future__ import annotations

import random

import cocotb
import numpy as np

from hwsim.func.ternary_dot_engine import dot_tile
from hwsim.sim.blocks.ternary_dot_engine import tile_cycles
from hwsim.testbench.common import StreamBench, Transaction, context, run_and_check, field_offsets, to_signed
from hwsim.testbench.tb_sparse_skip import random_chunk


def random_tile(rng: random.Random, lanes: int, max_chunks: int, columns: int, act_bits: int):
    """(weights, acts): whole chunks; 1 in 10 tiles all-zero and 1 in 10 all-non-zero weights;
    activations biased to 0 and the maximum."""
    n_chunks = rng.randint(1, max_chunks)
    kind = rng.random()
    if kind < 0.1:
        weights = [0] * (n_chunks * lanes)
    elif kind < 0.2:
        weights = [rng.choice((-1, 1)) for _ in range(n_chunks * lanes)]
    else:
        weights = [w for _ in range(n_chunks) for w in random_chunk(rng, lanes)]
    top = (1 << act_bits) - 1
    acts = [[rng.choice((0, top)) if rng.random() < 0.3 else rng.randint(0, top) for _ in weights]
            for _ in range(columns)]
    return weights, acts


def beats(weights, acts, lanes: int, act_bits: int, w_off: int, tag_off: int) -> list[int]:
    """Pack one tile into chunk beats: weights[lane] 2 bits each; tag = acts[col][lane], then last."""
    columns = len(acts)
    out = []
    for c, start in enumerate(range(0, len(weights), lanes)):
        word = sum((weights[start + i] & 0b11) << (w_off + 2 * i) for i in range(lanes))
        for col in range(columns):
            for i in range(lanes):
                word |= acts[col][start + i] << (tag_off + (col * lanes + i) * act_bits)
        last = start + lanes == len(weights)
        word |= int(last) << (tag_off + columns * lanes * act_bits)
        out.append(word)
    return out


def acc_width(ctx) -> int:
    """Accumulator bits of one column: the output payload holds one sum per column."""
    out_width = next(x["width"] for x in ctx.design["ports"] if x["name"] == "o_stream__payload")
    return out_width // ctx.params["columns"]


def transactions(ctx) -> list[Transaction]:
    """``ctx.transactions`` random tiles, every column's sum and the tile's cycles (also the native
    harness's stimulus)."""
    sa, skip, p = ctx.spec.sense_amp, ctx.spec.skip_unit, ctx.params
    lanes, cols, act_bits = skip.weights_per_cycle, p["columns"], p["act_bits"]
    acc_bits = acc_width(ctx)
    fields = field_offsets(ctx.design, "i_stream__payload")
    trs = []
    for _ in range(ctx.transactions):
        weights, acts = random_tile(ctx.rng, lanes, max(1, p["max_reduction"] // lanes), cols, act_bits)
        expected = [tuple(dot_tile(acts, weights, act_bits, lanes, skip.zero_skip, acc_bits))]
        cycles = tile_cycles(sa, skip, np.array(weights, dtype=np.int64), act_bits)
        trs.append(Transaction(beats(weights, acts, lanes, act_bits, fields["weights"][0], fields["tag"][0]),
                               expected, cycles, f"weights {weights}"))
    return trs


@cocotb.test()
async def random_tiles(dut):
    ctx = context()
    cols, acc_bits = ctx.params["columns"], acc_width(ctx)
    trs = transactions(ctx)

    def decode(word: int):
        return tuple(to_signed(word >> (i * acc_bits), acc_bits) for i in range(cols)), True

    bench = StreamBench(dut, ctx.rng, decode=decode)
    await run_and_check(ctx, bench, trs)
