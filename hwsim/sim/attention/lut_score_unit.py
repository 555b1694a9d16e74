"""Cycle model of ``lut_score_unit``: 4-bit x 4-bit products from a lookup table, summed over D.

One unit holds a query vector and takes one key per ``ceil(D / lanes)`` beats, ``lanes``
products per beat; the score of a key appears ``LATENCY_CYCLES`` after its last beat.  Keys
stream back to back, so n keys take ``n * ceil(D / lanes) + LATENCY_CYCLES`` cycles.
"""

from __future__ import annotations

import numpy as np

LATENCY_CYCLES = 1


def beats_per_score(head_dim: int, lanes: int) -> int:
    """Beats for one D-long dot product with ``lanes`` multipliers."""
    return -(-head_dim // lanes)


def score_cycles(keys: np.ndarray | int, head_dim: int, lanes: int) -> np.ndarray | int:
    """Cycles for ``keys`` scores of one query on one unit, first beat to last score."""
    return keys * beats_per_score(head_dim, lanes) + LATENCY_CYCLES


def accumulator_bits(head_dim: int, qk_bits: int = 4) -> int:
    """Signed width of the running sum over D products of two ``qk_bits`` operands."""
    level = (1 << (qk_bits - 1)) - 1
    return int(head_dim * level * level).bit_length() + 1
