"""Cycle model of the sparse addition control unit (zero-skip).

It scans a chunk of ternary weights ``weights_per_cycle`` at a time and issues one
add/subtract per non-zero weight (or per weight when skipping is off).  Scanning runs ahead of
the adder, so a chunk takes the longer of the two: issue-bound when weights are dense, and
scan-bound only when almost every weight is zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


def chunk_weights(weights_kcrs: np.ndarray, chunk_len: int) -> np.ndarray:
    """Reshape (K, C, R, S) weights to (K, n_chunks, chunk_len), zero-padding the last chunk."""
    k = weights_kcrs.shape[0]
    flat = weights_kcrs.reshape(k, -1)
    n_chunks = -(-flat.shape[1] // chunk_len)
    pad = n_chunks * chunk_len - flat.shape[1]
    if pad:
        flat = np.concatenate([flat, np.zeros((k, pad), dtype=flat.dtype)], axis=1)
    return flat.reshape(k, n_chunks, chunk_len)


@dataclass(frozen=True)
class PackedNonzeros:
    """Where a (K, ...) weight tensor is non-zero, one bit per weight, with running counts.

    ``bits[k, i]`` holds the flags of weights 8 i .. 8 i + 7 of row k (bit j = weight 8 i + j);
    ``running[k, i]`` counts the non-zeros of row k before weight 8 i (int32).
    """

    bits: np.ndarray
    running: np.ndarray


def pack_nonzeros(weights: np.ndarray) -> PackedNonzeros:
    """One pass over ``weights``: pack the non-zero flags and count them per byte."""
    k = weights.shape[0]
    flat = weights.reshape(k, -1)
    flags = flat.view(np.uint8) if flat.dtype.itemsize == 1 and flat.dtype.kind in "iub" else flat != 0
    bits = np.packbits(flags, axis=1, bitorder="little")
    running = np.zeros((k, bits.shape[1] + 1), dtype=np.int32)
    np.cumsum(np.bitwise_count(bits), axis=1, dtype=np.int32, out=running[:, 1:])
    return PackedNonzeros(bits, running)


def nonzeros_before(packed: PackedNonzeros, positions: np.ndarray) -> np.ndarray:
    """Non-zero weights of each row before each of ``positions`` (0 .. row length): int32 (K, len(positions)).

    The running count at the position's byte, plus the bits of that byte below it.
    """
    positions = np.asarray(positions, dtype=np.int64)
    byte, bit = positions >> 3, positions & 7
    counts = packed.running[:, byte]
    inside = np.flatnonzero(bit)
    if inside.size:
        below = ((1 << bit[inside]) - 1).astype(np.uint8)
        counts[:, inside] += np.bitwise_count(packed.bits[:, byte[inside]] & below)
    return counts


def chunk_nonzeros(weights: np.ndarray | PackedNonzeros, chunk_len: int, reduction: int | None = None) -> np.ndarray:
    """Non-zero weights per (K, chunk) of (K, ...) weights cut into chunks of ``chunk_len``.

    The counts of ``count_nonzero(chunk_weights(weights, chunk_len), axis=2)``, from
    :func:`nonzeros_before` at the chunk ends.  Packed weights need their row length
    ``reduction``.  int32 (K, n_chunks).
    """
    if isinstance(weights, PackedNonzeros):
        packed, red = weights, int(reduction)
    else:
        packed, red = pack_nonzeros(weights), int(np.prod(weights.shape[1:]))
    n_chunks = -(-red // chunk_len)
    ends = np.minimum(np.arange(n_chunks + 1, dtype=np.int64) * chunk_len, red)
    return np.diff(nonzeros_before(packed, ends), axis=1)


def _part_ends(chunk_len: int, chunks_per_part: int, reduction: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each reduction part ends: in whole chunks (past the reduction for a short last
    chunk), and in weights; both with a leading 0."""
    n = -(-reduction // chunk_len)
    ends = np.minimum(np.arange(-(-n // chunks_per_part) + 1, dtype=np.int64) * (chunks_per_part * chunk_len),
                      n * chunk_len)
    return ends, np.minimum(ends, reduction)


def part_nonzeros(packed: PackedNonzeros, chunk_len: int, chunks_per_part: int, reduction: int) -> np.ndarray:
    """Non-zero weights per (K, reduction part) of ``chunks_per_part`` chunks of ``chunk_len``: int32."""
    before_nz = nonzeros_before(packed, _part_ends(chunk_len, chunks_per_part, reduction)[1])
    return before_nz[:, 1:] - before_nz[:, :-1]


def part_counts(packed: PackedNonzeros, chunk_len: int, chunks_per_part: int, reduction: int,
                memo: dict[int, np.ndarray] | None = None,
                nonzero: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per (K, reduction part): non-zero weights, and chunks without one.

    A part is ``chunks_per_part`` chunks of ``chunk_len`` weights.  Chunks of 1, 2, 4 or 8
    weights never straddle a byte of ``packed``: their empty chunks are counted per byte with
    masks (:func:`_empty_fields`); other lengths count each chunk.  ``memo`` keeps the running
    counts of empty chunks per chunk length for further calls on the same ``packed``;
    ``nonzero`` is the first result when already known (:func:`part_nonzeros`).  int32
    (K, parts) both.
    """
    n = -(-reduction // chunk_len)
    ends, real = _part_ends(chunk_len, chunks_per_part, reduction)
    if nonzero is None:
        before_nz = nonzeros_before(packed, real)
        nonzero = before_nz[:, 1:] - before_nz[:, :-1]
    if chunk_len == 1:
        return nonzero, (real[1:] - real[:-1]).astype(np.int32) - nonzero
    memo = {} if memo is None else memo
    if 8 % chunk_len == 0:
        if chunk_len not in memo:  # empty chunks before each byte
            running = np.zeros((packed.bits.shape[0], packed.bits.shape[1] + 1), dtype=np.int32)
            np.cumsum(_empty_fields(packed.bits, chunk_len), axis=1, dtype=np.int32, out=running[:, 1:])
            memo[chunk_len] = running
        byte = ends >> 3
        before = memo[chunk_len][:, byte]
        inside = np.flatnonzero(ends & 7)
        if inside.size:  # a part boundary inside a byte: its chunks below the boundary
            inner = packed.bits[:, byte[inside]]
            if chunk_len == 4:  # the boundary halves the byte: its low half, if empty
                before[:, inside] += (inner & 0x0F) == 0
            else:
                before[:, inside] += _empty_chunks_in_byte(chunk_len)[inner, (ends[inside] & 7) // chunk_len]
        return nonzero, before[:, 1:] - before[:, :-1]
    if chunk_len not in memo:  # empty chunks before each chunk
        at_ends = nonzeros_before(packed, np.minimum(np.arange(n + 1, dtype=np.int64) * chunk_len, reduction))
        empty = np.zeros((packed.bits.shape[0], n + 1), dtype=np.int32)
        np.cumsum(at_ends[:, 1:] == at_ends[:, :-1], axis=1, out=empty[:, 1:])
        memo[chunk_len] = empty
    empty_before = memo[chunk_len][:, ends // chunk_len]
    return nonzero, empty_before[:, 1:] - empty_before[:, :-1]


def _empty_fields(bits: np.ndarray, chunk_len: int) -> np.ndarray:
    """How many chunks of ``chunk_len`` (2, 4 or 8) weights in each flag byte are empty: uint8.

    Field i of byte b is the chunk of weights 8 b + i * chunk_len onwards (bit j = weight 8 b + j);
    masks over whole rows, where a table lookup per byte would gather.
    """
    mask = (1 << chunk_len) - 1
    count = np.zeros(bits.shape, dtype=np.uint8)
    for i in range(8 // chunk_len):
        count += (bits & (mask << (i * chunk_len))) == 0
    return count


@lru_cache(maxsize=8)
def _empty_chunks_in_byte(chunk_len: int) -> np.ndarray:
    """``table[b, c]``: chunks of ``chunk_len`` (dividing 8) bits without a set bit among the
    first c of byte b (read-only)."""
    per_byte = 8 // chunk_len
    fields = (np.arange(256)[:, None] >> (chunk_len * np.arange(per_byte))) & ((1 << chunk_len) - 1)
    table = np.zeros((256, per_byte + 1), dtype=np.int32)
    np.cumsum(fields == 0, axis=1, out=table[:, 1:])
    table.flags.writeable = False
    return table


def issued_operations(chunks: np.ndarray, chunk_lens: np.ndarray, zero_skip: bool) -> np.ndarray:
    """Additions issued per (K, chunk): non-zeros when skipping, else every real weight."""
    if zero_skip:
        return np.count_nonzero(chunks, axis=2).astype(np.int32)
    return issued_from_nonzeros(None, chunk_lens, False, chunks.shape[0])


def issued_from_nonzeros(nonzeros: np.ndarray | None, chunk_lens: np.ndarray, zero_skip: bool,
                         k: int | None = None) -> np.ndarray:
    """Additions issued per (K, chunk) from the chunks' non-zero counts (int32).

    Without skipping every real weight is issued and ``nonzeros`` is not needed (give ``k``).
    """
    if zero_skip:
        return np.asarray(nonzeros, dtype=np.int32)
    rows = k if nonzeros is None else nonzeros.shape[0]
    return np.broadcast_to(chunk_lens.astype(np.int32), (rows, chunk_lens.size)).copy()


def scan_cycles(chunk_lens: np.ndarray, weights_per_cycle: int) -> np.ndarray:
    """Cycles to scan each chunk."""
    return -(-np.asarray(chunk_lens, dtype=np.int32) // weights_per_cycle)


def chunk_cycles(add_cycles: np.ndarray, scan: np.ndarray) -> np.ndarray:
    """Cycles of each (K, chunk) work item: the adder or the scanner, whichever is longer."""
    return np.maximum(add_cycles, scan[np.newaxis, :])


ISSUE_CYCLES = 1
"""Cycles the unit needs to issue one operation when nothing downstream holds it up."""


def unit_chunk_cycles(chunks: np.ndarray, zero_skip: bool, weights_per_cycle: int) -> np.ndarray:
    """Cycles of the skip unit alone on each chunk of an (n_chunks, chunk_len) weight array.

    The same issue and scan counts as inside a layer, with an adder that takes
    :data:`ISSUE_CYCLES` per operation (the unit's own issue rate).
    """
    chunk_lens = np.full(chunks.shape[0], chunks.shape[1], dtype=np.int32)
    ops = issued_operations(chunks[np.newaxis], chunk_lens, zero_skip)[0]
    return chunk_cycles((ops * ISSUE_CYCLES)[np.newaxis], scan_cycles(chunk_lens, weights_per_cycle))[0]
