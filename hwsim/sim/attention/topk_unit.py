"""Cycle model of ``topk_unit``: streaming top-k over one query's scores.

The unit takes one score per cycle (L cycles for L keys), needs one cycle after the last
score to settle, then emits its ``min(k, L)`` kept entries one per cycle, by descending
score (ties: lower index first, see :mod:`hwsim.func.sparse_attention`).  The RTL in
``rtl/topk_unit.py`` takes exactly this many cycles from the first input to the last output
when no one stalls it.
"""

from __future__ import annotations

import numpy as np

SETTLE_CYCLES = 1


def topk_query_cycles(keys: np.ndarray | int, k: int) -> np.ndarray | int:
    """Cycles for one query with ``keys`` scores: ``keys + 1 + min(k, keys)``."""
    return keys + SETTLE_CYCLES + np.minimum(k, keys)


def score_bits_needed(head_dim: int, qk_bits: int = 4) -> int:
    """Signed width that holds any approximate score ``sum_D q' k'`` with ``|q'|, |k'| <= 2^(b-1)-1``."""
    level = (1 << (qk_bits - 1)) - 1
    return int(head_dim * level * level).bit_length() + 1
