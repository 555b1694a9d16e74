"""cocotb testbench of rtl/ternary_adder.py: random additions checked against hwsim.

Reference model: ``hwsim.func.ternary_adder`` (outputs) and
``hwsim.sim.blocks.ternary_adder.addition_cycles`` (cycles per addition).
"""

from __future__ import annotations

import random

import cocotb

from hwsim.func.ternary_adder import AdderOp, add_step
from hwsim.sim.blocks.ternary_adder import addition_cycles
from hwsim.testbench.common import StreamBench, Transaction, context, run_and_check, field_offsets, pack, to_signed


def random_op(rng: random.Random, width_bits: int, first: bool) -> AdderOp:
    """An operand biased towards the signed extremes, 0 and +-1; ``clear`` on the first and ~1 in 5."""
    lo, hi = -(1 << (width_bits - 1)), (1 << (width_bits - 1)) - 1
    operand = rng.choice([lo, hi, 0, 1, -1]) if rng.random() < 0.3 else rng.randint(lo, hi)
    return AdderOp(operand, sub=rng.random() < 0.5, clear=first or rng.random() < 0.2)


def transactions(ctx, fields) -> list[Transaction]:
    w = ctx.params["width_bits"]
    cycles = addition_cycles(ctx.spec.sense_amp, w)
    acc, out = 0, []
    for i in range(ctx.transactions):
        op = random_op(ctx.rng, w, i == 0)
        acc = add_step(acc, op, w)
        beat = pack(fields, operand=op.operand, sub=int(op.sub), clear=int(op.clear))
        out.append(Transaction([beat], [acc], cycles, f"{op}"))
    return out


@cocotb.test()
async def random_additions(dut):
    ctx = context()
    w = ctx.params["width_bits"]
    trs = transactions(ctx, field_offsets(ctx.design, "i_stream__payload"))
    bench = StreamBench(dut, ctx.rng, decode=lambda word: (to_signed(word, w), True))
    await run_and_check(ctx, bench, trs)
