"""Cycle and action model of the in-memory bit-serial adder of one column.

An addition of a ``width_bits`` operand into an accumulator runs the sense amplifier's
micro-operation sequence once per bit, least significant bit first.  A scheme that keeps the
carry in memory (``carry_rows > 0``) must first preset the carry row (0 for add, 1 for
subtract): one extra ``write_carry``.  A latched carry is preset by the latch's reset, free.
The same functions drive the layer engine and the RTL cycle predictions.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import numpy as np

from hwsim.spec.enums import MicroOp
from hwsim.spec.imc import SenseAmpSpec


def bit_step_cycles(sense_amp: SenseAmpSpec) -> int:
    """Cycles for one bit position: the sum of the micro-op latencies."""
    return sum(m.latency_cycles for m in sense_amp.micro_ops)


def carry_init_cycles(sense_amp: SenseAmpSpec) -> int:
    """Cycles to preset the carry before an addition (one carry-row write, or none)."""
    if sense_amp.carry_rows == 0:
        return 0
    return next(m.latency_cycles for m in sense_amp.micro_ops if m.op is MicroOp.WRITE_CARRY)


def addition_cycles(sense_amp: SenseAmpSpec, width_bits: int) -> int:
    """Cycles of one ``width_bits``-wide addition (or subtraction) in one column."""
    if width_bits <= 0:
        raise ValueError(f"width_bits must be positive, got {width_bits}")
    return width_bits * bit_step_cycles(sense_amp) + carry_init_cycles(sense_amp)


def addition_action_counts(sense_amp: SenseAmpSpec, width_bits: int) -> Counter[MicroOp]:
    """Micro-operations executed by one column for one addition, by kind."""
    counts: Counter[MicroOp] = Counter()
    for micro in sense_amp.micro_ops:
        counts[micro.op] += width_bits
    if sense_amp.carry_rows:
        counts[MicroOp.WRITE_CARRY] += 1
    return counts


def micro_op_energy_pj(sense_amp: SenseAmpSpec) -> dict[MicroOp, float]:
    """Mean energy per execution of each micro-op kind (a kind may appear twice per bit)."""
    total: dict[MicroOp, float] = {}
    seen: Counter[MicroOp] = Counter()
    for micro in sense_amp.micro_ops:
        total[micro.op] = total.get(micro.op, 0.0) + micro.energy_pj
        seen[micro.op] += 1
    return {op: total[op] / seen[op] for op in total}


def running_width_bits(n_operands: np.ndarray, operand_max: int) -> np.ndarray:
    """Accumulator bits needed once ``n_operands`` values in [-operand_max, operand_max] are summed.

    All columns of a subarray share the weight sequence, so the controller knows the count
    and ripples each addition only through the bits the running sum can occupy (the sign
    row is re-read for sign extension, which costs nothing).
    """
    n = np.asarray(n_operands, dtype=np.int64)
    return np.floor(np.log2(np.maximum(n, 1) * operand_max)).astype(np.int64) + 2


@lru_cache(maxsize=256)
def bit_step_table(max_operands: int, operand_max: int) -> np.ndarray:
    """``table[n]`` = bit positions processed by the first ``n`` accumulations (table[0] = 0).

    int32 where the total fits (it does below about 50 M operands), else int64; read-only
    (the same array serves every call with these arguments).
    """
    widths = running_width_bits(np.arange(1, max_operands + 1), operand_max)
    table = np.zeros(max_operands + 1, dtype=np.int64)
    np.cumsum(widths, out=table[1:])
    table = table.astype(np.int32) if table[-1] < 2**31 else table
    table.flags.writeable = False
    return table


def accumulation_cycles(sense_amp: SenseAmpSpec, table: np.ndarray, before: np.ndarray, ops: np.ndarray) -> np.ndarray:
    """Cycles of ``ops`` accumulations into a sum that already absorbed ``before`` operands."""
    return step_cycles(sense_amp, table[before + ops] - table[before], ops)


def step_cycles(sense_amp: SenseAmpSpec, bit_steps: np.ndarray, ops: np.ndarray) -> np.ndarray:
    """Cycles of ``ops`` accumulations that process ``bit_steps`` bit positions in all."""
    preset = carry_init_cycles(sense_amp)
    if not preset:  # a latched carry needs no preset: the bit steps alone (no pass over ``ops``)
        return bit_steps * bit_step_cycles(sense_amp)
    return bit_steps * bit_step_cycles(sense_amp) + ops * preset


def accumulation_action_counts(sense_amp: SenseAmpSpec, bit_steps: int, additions: int) -> Counter[MicroOp]:
    """Micro-operations per column for ``additions`` accumulations spanning ``bit_steps`` bits."""
    counts: Counter[MicroOp] = Counter()
    for micro in sense_amp.micro_ops:
        counts[micro.op] += bit_steps
    if sense_amp.carry_rows:
        counts[MicroOp.WRITE_CARRY] += additions
    return counts
