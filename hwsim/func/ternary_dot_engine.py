"""Bit-exact functional reference of ``rtl/ternary_dot_engine.py``.

Each column's sum is built the way the hardware builds it: the skip unit's operations
(:func:`hwsim.func.sparse_skip.issue`) applied in order by the bit-serial adder
(:func:`hwsim.func.ternary_adder.add_step`), each addition wrapped to the running width of
the operands absorbed so far.  The running width always holds the sum, so the result equals
the integer dot product; tests assert that the two agree.
"""

from __future__ import annotations

from typing import Sequence

from hwsim.func.sparse_skip import issue
from hwsim.func.ternary_adder import AdderOp, add_step
from hwsim.sim.blocks.ternary_adder import running_width_bits


def dot_tile(acts: Sequence[Sequence[int]], weights: Sequence[int], act_bits: int, lanes: int,
             zero_skip: bool, acc_bits: int) -> list[int]:
    """Every column's sum for one tile.

    Parameters
    ----------
    acts
        ``acts[column][i]``: unsigned activations, one per weight.
    weights
        Ternary weights of the tile, a multiple of ``lanes`` long.
    acc_bits
        Accumulator width of the hardware.
    """
    if len(weights) % lanes:
        raise ValueError(f"a tile has whole chunks of {lanes} weights, not {len(weights)} weights")
    act_max = (1 << act_bits) - 1
    sums = [0] * len(acts)
    n_ops = 0
    for start in range(0, len(weights), lanes):
        for op in issue(list(weights[start:start + lanes]), zero_skip):
            if op.nop:
                continue
            bits = int(running_width_bits(n_ops + 1, act_max))
            for col, row in enumerate(acts):
                step = AdderOp(0 if op.zero else row[start + op.lane], sub=op.sub, clear=n_ops == 0)
                sums[col] = add_step(sums[col], step, acc_bits, bits)
            n_ops += 1
    return sums
