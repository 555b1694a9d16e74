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


def acc_width_bits(max_reduction: int, act_bits: int) -> int:
    """Accumulator bits for up to ``max_reduction`` unsigned ``act_bits`` activations (the RTL's
    width and the resource estimate's, one rule)."""
    return int(ternary_adder.running_width_bits(max_reduction, (1 << act_bits) - 1))


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
        return np.cumsum(ops, axis=1, dtype=ops.dtype) - ops
    parts = -(-n // chunks_per_part)
    padded = np.zeros((k, parts * chunks_per_part), dtype=ops.dtype)
    padded[:, :n] = ops
    per_part = padded.reshape(k, parts, chunks_per_part)
    before = np.cumsum(per_part, axis=2, dtype=ops.dtype) - per_part
    return before.reshape(k, -1)[:, :n]


def chunk_work(sense_amp: SenseAmpSpec, skip_unit: SkipUnitSpec, nonzeros: np.ndarray | None, chunk_lens: np.ndarray,
               chunks_per_part: int, act_max: int, max_operands: int, k: int | None = None, *,
               per_part: bool = False, memo: dict[int, np.ndarray] | None = None,
               additions: ChunkWork | None = None) -> ChunkWork:
    """Cycles of every (K, chunk) item of a layer's ternary weights.

    Parameters
    ----------
    nonzeros
        Non-zero weights per (K, chunk) (:func:`hwsim.sim.blocks.sparse_skip.chunk_nonzeros`),
        or with ``per_part`` the packed flags (:func:`~hwsim.sim.blocks.sparse_skip.pack_nonzeros`);
        None without zero skipping, which issues every weight (then give ``k``).
    chunk_lens
        Real weights in each chunk.
    act_max
        Largest activation value (``2**act_bits - 1``); sets the running widths.
    max_operands
        Most operands one sum can absorb (the reduction length).
    per_part
        Return one item per (K, reduction part) instead: the sums over the part's chunks,
        the same numbers (``memo``: counts of empty chunks kept between calls on the same
        packed flags).  A part's accumulation starts from zero, so its adder cycles are
        those of one run of all its operands; a chunk whose scan outlasts its adder adds
        the difference, which (when one addition outlasts a scan) happens only to chunks
        without an operand.  From packed flags no per-chunk array is built for chunks of
        1, 2, 4 or 8 weights.
    additions
        :func:`part_additions` of the same arguments, if already taken: its counts are reused.
    """
    if per_part:
        return _part_work(sense_amp, skip_unit, nonzeros, chunk_lens, chunks_per_part, act_max, max_operands, k, memo,
                          additions)
    ops = sparse_skip.issued_from_nonzeros(nonzeros, chunk_lens, skip_unit.zero_skip, k)
    before = operands_before(ops, chunks_per_part)
    table = ternary_adder.bit_step_table(max_operands, act_max)
    steps = table[before + ops] - table[before]
    adder = ternary_adder.step_cycles(sense_amp, steps, ops)
    bit_steps = int(steps.sum(dtype=np.int64))
    scan = sparse_skip.scan_cycles(chunk_lens, skip_unit.weights_per_cycle)
    return ChunkWork(ops, adder, sparse_skip.chunk_cycles(adder, scan), bit_steps)


def part_additions(sense_amp: SenseAmpSpec, skip_unit: SkipUnitSpec, packed: sparse_skip.PackedNonzeros,
                   chunk_lens: np.ndarray, chunks_per_part: int, act_max: int, max_operands: int) -> ChunkWork | None:
    """The additions alone of :func:`chunk_work` per (K, part) on packed zero-skipping weights:
    its ops, adder cycles and bit steps, with the adder cycles as the items (a chunk's wait for
    its scan left out, so no item is longer than chunk_work's).  None where a chunk with
    operands may wait for its scan (chunk_work then counts chunk by chunk)."""
    first_len, last_len = int(chunk_lens[0]), int(chunk_lens[-1])
    table = ternary_adder.bit_step_table(max_operands, act_max)
    if (not skip_unit.zero_skip or not isinstance(packed, sparse_skip.PackedNonzeros)
            or -(-max(first_len, last_len) // skip_unit.weights_per_cycle)
            > int(ternary_adder.step_cycles(sense_amp, table[1], 1))):
        return None
    ops = sparse_skip.part_nonzeros(packed, first_len, chunks_per_part, first_len * (chunk_lens.size - 1) + last_len)
    steps = table[ops]
    adder = ternary_adder.step_cycles(sense_amp, steps, ops)
    return ChunkWork(ops, adder, adder, int(steps.sum(dtype=np.int64)))


def _part_work(sense_amp: SenseAmpSpec, skip_unit: SkipUnitSpec, nonzeros: np.ndarray | sparse_skip.PackedNonzeros | None,
               chunk_lens: np.ndarray, chunks_per_part: int, act_max: int, max_operands: int, k: int | None,
               memo: dict[int, np.ndarray] | None, additions: ChunkWork | None = None) -> ChunkWork:
    n = chunk_lens.size
    # the chunks are of one length but for the last: two scan times, not one per chunk
    first_len, last_len = int(chunk_lens[0]), int(chunk_lens[-1])
    scan_first, scan_last = (-(-length // skip_unit.weights_per_cycle) for length in (first_len, last_len))
    table = ternary_adder.bit_step_table(max_operands, act_max)
    one_add = int(ternary_adder.step_cycles(sense_amp, table[1], 1))
    if max(scan_first, scan_last) > one_add:  # a chunk with operands may wait for the scanner: count chunk by chunk
        starts = np.arange(0, n, chunks_per_part)
        if isinstance(nonzeros, sparse_skip.PackedNonzeros):
            nonzeros = sparse_skip.chunk_nonzeros(nonzeros, first_len, int(chunk_lens.sum()))
        work = chunk_work(sense_amp, skip_unit, nonzeros, chunk_lens, chunks_per_part, act_max, max_operands, k)
        return ChunkWork(*(_sum_parts(a, starts) for a in (work.ops, work.adder_cycles, work.item_cycles)),
                         work.bit_steps)
    red = first_len * (n - 1) + last_len
    if skip_unit.zero_skip:
        if isinstance(nonzeros, sparse_skip.PackedNonzeros):
            ops, empty = sparse_skip.part_counts(nonzeros, first_len, chunks_per_part, red, memo,
                                                 None if additions is None else additions.ops)
        else:
            starts = np.arange(0, n, chunks_per_part)
            ops, empty = _sum_parts(nonzeros, starts), _sum_parts(nonzeros == 0, starts)
        waits = empty * scan_first if scan_first != 1 else empty  # a chunk without an operand waits for its scan
        if scan_last != scan_first:  # the last chunk is shorter
            last = (sparse_skip.nonzeros_before(nonzeros, np.array([red - last_len, red])) if
                    isinstance(nonzeros, sparse_skip.PackedNonzeros) else nonzeros[:, -2:].cumsum(axis=1))
            waits[:, -1] += (last[:, 1] == last[:, 0]) * (scan_last - scan_first)
    else:  # every row issues every weight: work out one row, the others are the same
        rows = k if nonzeros is None or isinstance(nonzeros, sparse_skip.PackedNonzeros) else nonzeros.shape[0]
        ops = np.add.reduceat(chunk_lens, np.arange(0, n, chunks_per_part)).astype(np.int32)[np.newaxis]
        steps = table[ops]
        adder = ternary_adder.step_cycles(sense_amp, steps, ops)
        shape = (rows, ops.shape[1])
        return ChunkWork(np.broadcast_to(ops, shape), np.broadcast_to(adder, shape), np.broadcast_to(adder, shape),
                         rows * int(steps.sum(dtype=np.int64)))
    if additions is not None:
        return ChunkWork(ops, additions.adder_cycles, additions.adder_cycles + waits, additions.bit_steps)
    steps = table[ops]
    adder = ternary_adder.step_cycles(sense_amp, steps, ops)
    return ChunkWork(ops, adder, adder + waits, int(steps.sum(dtype=np.int64)))


def _sum_parts(per_chunk: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sums of (K, chunks) over the chunks of each part beginning at ``starts``."""
    if starts.size == per_chunk.shape[1]:
        return per_chunk.astype(np.int64) if per_chunk.dtype == bool else per_chunk
    running = np.zeros((per_chunk.shape[0], per_chunk.shape[1] + 1), dtype=np.int64)
    np.cumsum(per_chunk, axis=1, out=running[:, 1:])
    return np.diff(running[:, np.append(starts, per_chunk.shape[1])], axis=1)


def tile_cycles(sense_amp: SenseAmpSpec, skip_unit: SkipUnitSpec, weights: np.ndarray, act_bits: int) -> int:
    """Cycles of one tile of ``rtl/ternary_dot_engine.py``: ``weights`` (1-D) in chunks of
    ``skip_unit.weights_per_cycle``, summed as one part."""
    lanes = skip_unit.weights_per_cycle
    nonzeros = sparse_skip.chunk_nonzeros(np.asarray(weights).reshape(1, -1), lanes)
    lens = np.full(nonzeros.shape[1], lanes, dtype=np.int32)
    lens[-1] = len(weights) - (nonzeros.shape[1] - 1) * lanes
    work = chunk_work(sense_amp, skip_unit, nonzeros, lens, nonzeros.shape[1], (1 << act_bits) - 1, len(weights))
    return int(work.item_cycles.sum())
