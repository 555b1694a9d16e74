"""Cycle model of the sparse addition control unit (zero-skip).

It scans a chunk of ternary weights ``weights_per_cycle`` at a time and issues one
add/subtract per non-zero weight (or per weight when skipping is off).  Scanning runs ahead of
the adder, so a chunk takes the longer of the two: issue-bound when weights are dense, and
scan-bound only when almost every weight is zero.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    ``bits[k, i]`` holds the flags of weights 8 i .. 8 i + 7 of row k (bit j = weight 8 i + j),
    each row padded with zero bytes to whole 64-bit words; ``words`` is the same memory as
    little-endian uint64 (word w = weights 64 w .. 64 w + 63); ``running[k, w]`` counts the
    non-zeros of row k before word w (int32).  Counting per word, not per byte, keeps the
    running array an eighth of the flags' size.
    """

    bits: np.ndarray
    words: np.ndarray
    running: np.ndarray


def pack_nonzeros(weights: np.ndarray) -> PackedNonzeros:
    """One pass over ``weights``: pack the non-zero flags and count them per 64-bit word."""
    k = weights.shape[0]
    flat = weights.reshape(k, -1)
    flags = flat.view(np.uint8) if flat.dtype.itemsize == 1 and flat.dtype.kind in "iub" else flat != 0
    bits = np.packbits(flags, axis=1, bitorder="little")
    if bits.shape[1] % 8:
        bits = np.concatenate([bits, np.zeros((k, -bits.shape[1] % 8), dtype=np.uint8)], axis=1)
    words = bits.view("<u8")
    running = np.zeros((k, words.shape[1] + 1), dtype=np.int32)
    np.cumsum(np.bitwise_count(words), axis=1, dtype=np.int32, out=running[:, 1:])
    return PackedNonzeros(bits, words, running)


def _set_before(words: np.ndarray, running: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Set bits of each row of ``words`` before each bit position, from ``running`` (set bits
    before each word) plus the bits of the position's word below it: int32 (K, len(positions))."""
    word, bit = positions >> 6, positions & 63
    counts = running[:, word]
    inside = np.flatnonzero(bit)
    if inside.size:
        below = (np.uint64(1) << bit[inside].astype(np.uint64)) - np.uint64(1)
        counts[:, inside] += np.bitwise_count(words[:, word[inside]] & below)
    return counts


def nonzeros_before(packed: PackedNonzeros, positions: np.ndarray) -> np.ndarray:
    """Non-zero weights of each row before each of ``positions`` (0 .. row length): int32 (K, len(positions))."""
    return _set_before(packed.words, packed.running, np.asarray(positions, dtype=np.int64))


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


def part_counts(packed: PackedNonzeros, chunk_len: int, chunks_per_part: int, reduction: int,
                memo: dict[int, object] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per (K, reduction part): non-zero weights, and chunks without one.

    A part is ``chunks_per_part`` chunks of ``chunk_len`` weights.  Chunks of a power of two
    up to 64 weights never straddle a word of ``packed``: one flag per chunk that holds a
    non-zero is folded into each word (:func:`_occupied_flags`) and counted like the non-zeros;
    other lengths count each chunk.  ``memo`` keeps, per chunk length, what further calls on the
    same ``packed`` reuse.  int32 (K, parts) both.
    """
    n = -(-reduction // chunk_len)
    step = chunks_per_part * chunk_len
    ends = np.minimum(np.arange(-(-n // chunks_per_part) + 1, dtype=np.int64) * step, n * chunk_len)
    real = np.minimum(ends, reduction)
    before_nz = nonzeros_before(packed, real)
    nonzero = before_nz[:, 1:] - before_nz[:, :-1]
    if chunk_len == 1:
        return nonzero, (real[1:] - real[:-1]).astype(np.int32) - nonzero
    memo = {} if memo is None else memo
    if 64 % chunk_len == 0:
        if chunk_len not in memo:  # occupied chunks before each word
            flags = _occupied_flags(packed.words, chunk_len)
            running = np.zeros(packed.running.shape, dtype=np.int32)
            np.cumsum(np.bitwise_count(flags), axis=1, dtype=np.int32, out=running[:, 1:])
            memo[chunk_len] = flags, running
        flags, running = memo[chunk_len]
        occupied = _set_before(flags, running, ends)  # part ends are chunk ends: flags below them are whole chunks
        chunks = ((ends[1:] - ends[:-1]) // chunk_len).astype(np.int32)
        return nonzero, chunks - (occupied[:, 1:] - occupied[:, :-1])
    if chunk_len not in memo:  # empty chunks before each chunk
        at_ends = nonzeros_before(packed, np.minimum(np.arange(n + 1, dtype=np.int64) * chunk_len, reduction))
        empty = np.zeros((packed.bits.shape[0], n + 1), dtype=np.int32)
        np.cumsum(at_ends[:, 1:] == at_ends[:, :-1], axis=1, out=empty[:, 1:])
        memo[chunk_len] = empty
    empty_before = memo[chunk_len][:, ends // chunk_len]
    return nonzero, empty_before[:, 1:] - empty_before[:, :-1]


def _occupied_flags(words: np.ndarray, chunk_len: int) -> np.ndarray:
    """Bit ``i * chunk_len`` of each word set where chunk i of the word (``chunk_len``, a power of
    two up to 64, consecutive bits) holds a set bit: the OR of a chunk's bits folded onto its lowest."""
    folded = words
    shift = 1
    while shift < chunk_len:
        folded = folded | (folded >> np.uint64(shift))
        shift *= 2
    lowest = sum(1 << i for i in range(0, 64, chunk_len))
    return folded & np.uint64(lowest)


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
