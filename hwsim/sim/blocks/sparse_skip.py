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


def issued_operations(chunks: np.ndarray, chunk_lens: np.ndarray, zero_skip: bool) -> np.ndarray:
    """Additions issued per (K, chunk): non-zeros when skipping, else every real weight."""
    if zero_skip:
        return np.count_nonzero(chunks, axis=2).astype(np.int64)
    return np.broadcast_to(chunk_lens.astype(np.int64), chunks.shape[:2]).copy()


def scan_cycles(chunk_lens: np.ndarray, weights_per_cycle: int) -> np.ndarray:
    """Cycles to scan each chunk."""
    return -(-chunk_lens.astype(np.int64) // weights_per_cycle)


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
    chunk_lens = np.full(chunks.shape[0], chunks.shape[1], dtype=np.int64)
    ops = issued_operations(chunks[np.newaxis], chunk_lens, zero_skip)[0]
    return chunk_cycles((ops * ISSUE_CYCLES)[np.newaxis], scan_cycles(chunk_lens, weights_per_cycle))[0]
