"""Cycle model of a column array fed by a sparse skip unit: the work of (output channel, chunk) items.

Every column of a subarray (or of ``rtl/ternary_dot_engine.py``) holds one output pixel and all
columns share the weight sequence.  For each chunk of weights the skip unit issues its
operations and the column adders execute them one after another, each rippling through the
running width of the sum; a chunk costs the adder time or the scan time, whichever is longer
(:func:`hwsim.sim.blocks.sparse_skip.chunk_cycles`).  The IMC layer engine sums these items over
its mapping; the RTL testbench compares one tile's sum with the hardware.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.sim.blocks import sparse_skip, ternary_adder
from hwsim.spec.imc import SenseAmpSpec, SkipUnitSpec


@dataclass(frozen=True)
class ChunkWork:
    """Per (K, chunk) work item: operations issued, adder cycles, chunk cycles; total bit steps."""

    ops: np.ndarray
    adder_cycles: np.ndarray
    item_cycles: np.ndarray
    bit_steps: int


def operands_before(ops: np.ndarray, chunks_per_part: int) -> np.ndarray:
    """Operands each (K, chunk) item finds already accumulated: earlier chunks of its part.

    The reduction is split into parts of ``chunks_per_part`` chunks, each summed separately.
    """
    k, n = ops.shape
    if chunks_per_part >= n:
        return np.cumsum(ops, axis=1) - ops
    parts = -(-n // chunks_per_part)
    padded = np.zeros((k, parts * chunks_per_part), dtype=ops.dtype)
    padded[:, :n] = ops
    per_part = padded.reshape(k, parts, chunks_per_part)
    before = np.cumsum(per_part, axis=2) - per_part
    return before.reshape(k, -1)[:, :n]


def chunk_work(sense_amp: SenseAmpSpec, skip_unit: SkipUnitSpec, chunks: np.ndarray, chunk_lens: np.ndarray,
               chunks_per_part: int, act_max: int, max_operands: int) -> ChunkWork:
    """Cycles of every (K, chunk) item of ``chunks`` (K, n_chunks, chunk_len) of ternary weights.

    Parameters
    ----------
    chunk_lens
        Real weights in each chunk (the last may be padded with zeros).
    act_max
        Largest activation value (``2**act_bits - 1``); sets the running widths.
    max_operands
        Most operands one sum can absorb (the reduction length).
    """
    ops = sparse_skip.issued_operations(chunks, chunk_lens, skip_unit.zero_skip)
    before = operands_before(ops, chunks_per_part)
    table = ternary_adder.bit_step_table(max_operands, act_max)
    steps = table[before + ops] - table[before]
    adder = ternary_adder.step_cycles(sense_amp, steps, ops)
    bit_steps = int(steps.sum())
    scan = sparse_skip.scan_cycles(chunk_lens, skip_unit.weights_per_cycle)
    return ChunkWork(ops, adder, sparse_skip.chunk_cycles(adder, scan), bit_steps)


def tile_cycles(sense_amp: SenseAmpSpec, skip_unit: SkipUnitSpec, weights: np.ndarray, act_bits: int) -> int:
    """Cycles of one tile of ``rtl/ternary_dot_engine.py``: ``weights`` (1-D) in chunks of
    ``skip_unit.weights_per_cycle``, summed as one part."""
    lanes = skip_unit.weights_per_cycle
    chunks = sparse_skip.chunk_weights(np.asarray(weights).reshape(1, -1), lanes)
    lens = np.full(chunks.shape[1], lanes, dtype=np.int64)
    lens[-1] = len(weights) - (chunks.shape[1] - 1) * lanes
    work = chunk_work(sense_amp, skip_unit, chunks, lens, chunks.shape[1], (1 << act_bits) - 1, len(weights))
    return int(work.item_cycles.sum())
