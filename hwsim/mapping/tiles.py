"""Tile sizes of a loop nest, in words, as the compiled cost model counts them (for messages and checks)."""

from __future__ import annotations

import numpy as np

from hwsim.mapping.loopnest.evaluate import operand_size
from hwsim.mapping.loopnest.target import Operand


def operand_words(operand: Operand, dims: np.ndarray, window: np.ndarray) -> float:
    """Words of ``operand`` for loop extents ``dims`` (N, K, C, P, Q, R, S, G); inputs include the halo.

    ``window`` is (stride rows, stride cols, dilation rows, dilation cols).
    """
    n, k, c, p, q, r, s, g = (float(v) for v in dims)
    return float(operand_size(int(operand), n, k, c, p, q, r, s, g, np.asarray(window, dtype=np.float64)))


def tile_words(bounds: np.ndarray, window: np.ndarray, factors: np.ndarray, spatial: np.ndarray, level: int,
               holds: tuple[bool, bool, bool], scale: tuple[float, float, float] = (1.0, 1.0, 1.0), *,
               orders: np.ndarray | None = None, cuts: np.ndarray | None = None) -> float:
    """Words one instance of ``level`` holds: the operands it holds, tiled by the loops at and below it.

    Level 0 is per PE (no spatial unrolling inside it); every level above holds the tile of
    the whole array.  ``factors`` is (levels, dims) temporal bounds; ``scale`` the words one
    element of each operand fills (``MappingTarget.operand_scale``).  ``cuts`` (3, levels - 1)
    with ``orders`` (levels, dims): each operand's tile also spans that many of the next
    level's loops, innermost first (:mod:`hwsim.mapping.loopnest.cuts`).
    """
    if cuts is not None and (orders is None or np.min(cuts, initial=0) < 0):
        raise ValueError("tile_words: cuts need the loop orders and must not be negative")
    extent = np.prod(factors[: level + 1], axis=0) * (spatial if level >= 1 else 1)
    words = 0.0
    for x in Operand:
        if not holds[x]:
            continue
        own = extent.copy()
        if cuts is not None and level + 1 < len(factors):
            for d in np.asarray(orders)[level + 1][: int(cuts[x][level])]:
                own[d] *= factors[level + 1][d]
        words += operand_words(x, own, window) * scale[x]
    return words
