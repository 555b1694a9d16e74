"""Real weight tensors: generated from a seed at a requested sparsity, or read from .npz."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.workload.layers import Layer, QuantKind


def generate_weights(layers: tuple[Layer, ...], sparsity: float, seed: int) -> dict[str, np.ndarray]:
    """Quantized int8 weights, zero with probability ``sparsity``.

    Ternary non-zeros are +-1, equally likely; intN non-zeros are uniform over the non-zero
    N-bit values.  One ``numpy.random.Generator`` seeded with ``seed`` draws the layers in
    order, so the same (sparsity, seed) gives the same tensors.  Binary layers ignore
    ``sparsity``.  Each weight costs 16 random bits compared against integer thresholds
    (probabilities exact to 2**-16); no temporary is wider than 16 bits per weight, and the
    time is linear in the number of weights.
    """
    rng = np.random.default_rng(seed)
    zero_below = round(min(max(sparsity, 0.0), 1.0) * _LEVELS)
    plus_below = zero_below + (_LEVELS - zero_below) // 2
    out: dict[str, np.ndarray] = {}
    above = np.empty(0, dtype=bool)  # one threshold's comparison, reused by every block
    for layer in layers:
        if layer.weight_quant is None:
            continue
        kind = layer.weight_quant.kind
        w = np.empty(int(np.prod(layer.weight_shape)), dtype=np.int8)
        for start in range(0, w.size, _BLOCK):  # bounded temporaries for the largest layers
            block = w[start:start + _BLOCK]
            u = _uniform16(rng, block.size)
            if above.size < block.size:
                above = np.empty(min(w.size, _BLOCK), dtype=bool)
            flag = above[:block.size]
            # comparisons written straight into int8 memory and subtracted in place: no int temporaries
            if kind is QuantKind.BINARY:
                block.fill(1)
                np.greater_equal(u, _LEVELS // 2, out=flag)
                block -= flag.view(np.int8)
                block -= flag.view(np.int8)  # +1, then -1
            elif kind is QuantKind.INT:
                lo, hi = _int_range(layer.weight_quant.bits)
                block[:] = rng.integers(lo, hi, size=block.size, endpoint=True, dtype=np.int8)
                block[block == 0] = 1
                block[u < zero_below] = 0
            else:
                np.greater_equal(u, zero_below, out=block.view(bool))
                np.greater_equal(u, plus_below, out=flag)
                block -= flag.view(np.int8)
                block -= flag.view(np.int8)  # 0, then +1, then -1
        out[layer.name] = w.reshape(layer.weight_shape)
    return out


_LEVELS = 1 << 16
_BLOCK = 1 << 22  # weights drawn at a time (a multiple of 4: blocks continue one random stream)


def _uniform16(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` independent integers uniform on [0, 2**16), from the generator's raw 64-bit words."""
    return rng.bit_generator.random_raw(-(-n // 4)).view(np.uint16)[:n]


def load_weights(path: Path, layers: tuple[Layer, ...]) -> dict[str, np.ndarray]:
    """Read one array per weighted layer from ``path`` and check shapes and values.

    Each array's kind (integers or floats, never pickled objects) and shape are checked from
    its header before it is read (:mod:`hwsim.workload.npz`); a linear or 1x1 layer may give
    (K, C) for (K, C, 1, 1).  Arrays for other names are ignored and never read.
    """
    from hwsim.workload.npz import Wanted, read_npz  # only a weights file pays for the .npz reader

    wanted = {}
    for layer in layers:
        if layer.weight_quant is None:
            continue
        shapes = (layer.weight_shape, layer.weight_shape[:2]) if layer.R == layer.S == 1 else (layer.weight_shape,)
        wanted[layer.name] = Wanted(kinds="iuf", shapes=shapes, label=f"layer '{layer.name}' weights",
                                    missing=f"no array for layer '{layer.name}'")
    arrays = read_npz(path, wanted)
    out: dict[str, np.ndarray] = {}
    for layer in layers:
        if layer.weight_quant is not None:
            w = arrays[layer.name].reshape(layer.weight_shape)
            kind = layer.weight_quant.kind
            if kind is QuantKind.INT:
                lo, hi = _int_range(layer.weight_quant.bits)
                values = np.unique(w)
                bad = values[~np.isfinite(values) | (values < lo) | (values > hi) | (values != np.round(values))]
            else:
                allowed = {-1, 1} if kind is QuantKind.BINARY else {-1, 0, 1}
                bad = np.setdiff1d(np.unique(w), sorted(allowed))
            if bad.size:
                raise WorkloadError(
                    f"{path}: layer '{layer.name}' holds value {bad[0].item():g}, "
                    f"not a {layer.weight_quant.kind.value}{layer.weight_quant.bits if kind is QuantKind.INT else ''} weight"
                )
            out[layer.name] = w.astype(np.int8)
    return out


def _int_range(bits: int) -> tuple[int, int]:
    """Symmetric signed range of an N-bit weight: [-(2^(N-1) - 1), 2^(N-1) - 1]."""
    top = (1 << (bits - 1)) - 1
    return -top, top
