"""Cycle model of the sparse addition control unit (zero-skip).

It scans a chunk of ternary weights ``weights_per_cycle`` at a time and issues one
add/subtract per non-zero weight (or per weight when skipping is off).  Scanning runs ahead of
the adder, so a chunk takes the longer of the two: issue-bound when weights are dense, and
scan-bound only when almost every weight is zero.
"""

from __future__ import annotations

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


def nonzeros_before(weights: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Non-zero weights of each row of (K, ...) ``weights`` before each of ``positions``.

    One pass at one bit per weight: the non-zero flags are packed into bytes and their
    running count kept per byte; a position inside a byte adds the bits of that byte below
    it.  int32 (K, len(positions)); positions run from 0 to the row length.
    """
    k = weights.shape[0]
    flat = weights.reshape(k, -1)
    flags = flat.view(np.uint8) if flat.dtype.itemsize == 1 and flat.dtype.kind in "iub" else flat != 0
    packed = np.packbits(flags, axis=1, bitorder="little")  # bit j of byte i: weight 8 i + j is non-zero
    running = np.zeros((k, packed.shape[1] + 1), dtype=np.int32)
    np.cumsum(np.bitwise_count(packed), axis=1, dtype=np.int32, out=running[:, 1:])
    positions = np.asarray(positions, dtype=np.int64)
    byte, bit = positions >> 3, positions & 7
    counts = running[:, byte]
    if bit.any():
        below = ((1 << bit) - 1).astype(np.uint8)  # the bits of the position's byte that lie before it
        counts += np.bitwise_count(packed[:, np.minimum(byte, packed.shape[1] - 1)] & below)
    return counts


def chunk_nonzeros(weights: np.ndarray, chunk_len: int) -> np.ndarray:
    """Non-zero weights per (K, chunk) of (K, ...) weights cut into chunks of ``chunk_len``.

    The counts of ``count_nonzero(chunk_weights(weights, chunk_len), axis=2)``, from
    :func:`nonzeros_before` at the chunk ends.  int32 (K, n_chunks).
    """
    red = int(np.prod(weights.shape[1:]))
    n_chunks = -(-red // chunk_len)
    ends = np.minimum(np.arange(n_chunks + 1, dtype=np.int64) * chunk_len, red)
    return np.diff(nonzeros_before(weights, ends), axis=1)


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
