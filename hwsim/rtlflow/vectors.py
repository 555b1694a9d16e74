"""The vector file the native Verilator harness reads: stimulus, expected outputs, predicted cycles.

All little-endian ``uint32``, so the C++ side (``native_harness.cpp``) loads it with one read:

=====================  ===================================================================
``header[8]``          :data:`MAGIC`, :data:`VERSION`, transactions ``T``, input words per
                       beat, output words per beat, input beats, output beats, 0
``in_count[T]``        input beats of each transaction
``out_count[T]``       expected output beats of each transaction
``cycles[T]``          hwsim's predicted cycles of each transaction
input words            every input payload, beat after beat, lowest 32-bit word first
output words           every expected output payload, the same way
=====================  ===================================================================

A payload of ``w`` bits takes ``ceil(w / 32)`` words, the way Verilator stores a port.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from hwsim.rtlflow import RtlError

MAGIC = 0x56535748
"""``"HWSV"`` read as a little-endian ``uint32``."""
VERSION = 1
WORD_BITS = 32


class VectorTransaction(Protocol):
    """One transaction as the vector file needs it (``testbench.native_vectors.Vector``)."""

    beats: Sequence[int]
    outputs: Sequence[int]
    cycles: int


def words_per_beat(width_bits: int) -> int:
    """32-bit words of a ``width_bits`` payload (at least one)."""
    return max(1, -(-width_bits // WORD_BITS))


def _payload_words(values: Sequence[int], n_words: int, width_bits: int, what: str) -> np.ndarray:
    """(len(values), n_words) uint32 words of unsigned payload integers."""
    bad = next((v for v in values if v < 0 or v >> width_bits), None)
    if bad is not None:
        raise RtlError(f"{what} payload {bad} does not fit the port's {width_bits} bits unsigned")
    raw = b"".join(v.to_bytes(4 * n_words, "little") for v in values)
    return np.frombuffer(raw, dtype="<u4").reshape(len(values), n_words)


def write_vectors(path: Path, transactions: Sequence[VectorTransaction], in_width_bits: int,
                  out_width_bits: int) -> int:
    """Write ``transactions`` to ``path``; returns the number of bytes written.

    Parameters
    ----------
    transactions
        Each with ``beats`` (input payloads), ``outputs`` (expected output payloads, unsigned
        integers as the port carries them) and ``cycles`` (predicted).
    in_width_bits, out_width_bits
        Widths of ``i_stream__payload`` and ``o_stream__payload``.
    """
    if not transactions:
        raise RtlError("a vector file needs at least one transaction")
    in_words, out_words = words_per_beat(in_width_bits), words_per_beat(out_width_bits)
    in_count = np.array([len(t.beats) for t in transactions], dtype="<u4")
    out_count = np.array([len(t.outputs) for t in transactions], dtype="<u4")
    cycles = np.array([t.cycles for t in transactions], dtype=np.int64)
    if (in_count == 0).any() or (out_count == 0).any() or (cycles <= 0).any() or (cycles >> 32).any():
        raise RtlError("every transaction needs input beats, output beats and a positive 32-bit cycle count")
    inputs = _payload_words([b for t in transactions for b in t.beats], in_words, in_width_bits, "an input")
    outputs = _payload_words([o for t in transactions for o in t.outputs], out_words, out_width_bits, "an expected output")
    header = np.array([MAGIC, VERSION, len(transactions), in_words, out_words, len(inputs), len(outputs), 0], dtype="<u4")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        for part in (header, in_count, out_count, cycles.astype("<u4"), inputs, outputs):
            f.write(part.tobytes())
    return path.stat().st_size
