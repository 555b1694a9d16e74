"""Cycle model of ``topk_unit``: streaming top-k over one query's scores.

The unit takes one score per cycle (L cycles for L keys), inserting each into its sorted
registers in the same cycle, then, from the next cycle on, emits its ``min(k, L)`` kept
entries one per cycle, by descending score (ties: lower index first, see :mod:`hwsim.func.sparse_attention`).  The RTL in
``rtl/topk_unit.py`` takes exactly this many cycles from the first input to the last output
when no one stalls it.
"""

from __future__ import annotations

import numpy as np

def topk_query_cycles(keys: np.ndarray | int, k: int) -> np.ndarray | int:
    """Cycles for one query with ``keys`` scores: ``keys + min(k, keys)``."""
    return keys + np.minimum(k, keys)


def score_bits_needed(head_dim: int, qk_bits: int = 4) -> int:
    """Signed width that holds any approximate score ``sum_D q' k'`` with ``|q'|, |k'| <= 2^(b-1)-1``."""
    level = (1 << (qk_bits - 1)) - 1
    return int(head_dim * level * level).bit_length() + 1
