"""Bit-exact functional reference of the sparse addition control unit (``rtl/sparse_skip.py``).

Given one chunk of ternary weights it issues, lowest lane first, one add (+1) or subtract
(-1) per non-zero weight, or per weight when skipping is off (a zero weight then issues an
operation flagged ``zero``: add 0).  A chunk that issues nothing still produces one ``nop`` beat, so every chunk ends with
exactly one ``last`` beat that reports how many weights were skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class SkipOp:
    """One beat of the unit's output stream."""

    lane: int
    sub: bool
    zero: bool
    nop: bool
    last: bool
    skipped: int


def issue(weights: Sequence[int], zero_skip: bool) -> list[SkipOp]:
    """The beats the unit emits for one chunk of ternary ``weights`` (values in {-1, 0, 1})."""
    for w in weights:
        if w not in (-1, 0, 1):
            raise ValueError(f"ternary weights are -1, 0 or 1, not {w!r}")
    lanes = [i for i, w in enumerate(weights) if w != 0 or not zero_skip]
    skipped = len(weights) - len(lanes)
    if not lanes:
        return [SkipOp(0, False, False, True, True, skipped)]
    return [SkipOp(lane, weights[lane] < 0, weights[lane] == 0, False, i == len(lanes) - 1, skipped)
            for i, lane in enumerate(lanes)]
