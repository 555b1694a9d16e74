"""Tile sizes of a loop nest, in words, as the compiled cost model counts them (for messages and checks)."""

from __future__ import annotations

import numpy as np

from hwsim.mapping.loopnest.target import Operand


def operand_words(operand: Operand, dims: np.ndarray, stride: int) -> float:
    """Words of ``operand`` for loop extents ``dims`` (N, K, C, P, Q, R, S); inputs include the halo."""
    n, k, c, p, q, r, s = (float(v) for v in dims)
    if operand is Operand.W:
        return k * c * r * s
    if operand is Operand.I:
        return n * c * ((p - 1) * stride + r) * ((q - 1) * stride + s)
    return n * k * p * q


def tile_words(bounds: np.ndarray, stride: int, factors: np.ndarray, spatial: np.ndarray, level: int,
               holds: tuple[bool, bool, bool]) -> float:
    """Words one instance of ``level`` holds: the operands it holds, tiled by the loops at and below it.

    Level 0 is per PE (no spatial unrolling inside it); every level above holds the tile of
    the whole array.  ``factors`` is (levels, 7) temporal bounds.
    """
    extent = np.prod(factors[: level + 1], axis=0) * (spatial if level >= 1 else 1)
    return sum(operand_words(x, extent, stride) for x in Operand if holds[x])
