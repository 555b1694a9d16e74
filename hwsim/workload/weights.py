"""Real weight tensors: generated from a seed at a requested sparsity, or read from .npz."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.workload.layers import Layer, QuantKind


def generate_weights(layers: tuple[Layer, ...], sparsity: float, seed: int) -> dict[str, np.ndarray]:
    """Quantized weights, zero with probability ``sparsity``.

    Ternary non-zeros are +-1; intN non-zeros are uniform over the non-zero N-bit values.
    One ``numpy.random.Generator`` seeded with ``seed`` draws the layers in order, so the same
    (sparsity, seed) gives the same tensors.  Binary layers ignore ``sparsity``.
    """
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for layer in layers:
        if layer.weight_quant is None:
            continue
        u = rng.random(layer.weight_shape, dtype=np.float32)
        if layer.weight_quant.kind is QuantKind.BINARY:
            w = np.where(u < 0.5, -1, 1).astype(np.int8)
        elif layer.weight_quant.kind is QuantKind.INT:
            lo, hi = _int_range(layer.weight_quant.bits)
            values = rng.integers(lo, hi, size=layer.weight_shape, endpoint=True, dtype=np.int16)
            values[values == 0] = 1
            w = np.where(u < sparsity, 0, values).astype(np.int8)
        else:
            half = np.float32(sparsity + (1.0 - sparsity) / 2.0)
            w = np.where(u < sparsity, 0, np.where(u < half, 1, -1)).astype(np.int8)
        out[layer.name] = w
    return out


def load_weights(path: Path, layers: tuple[Layer, ...]) -> dict[str, np.ndarray]:
    """Read one array per weighted layer from ``path`` and check shapes and values."""
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise WorkloadError(f"{path}: weight file not found") from None
    except (OSError, ValueError) as exc:
        raise WorkloadError(f"{path}: not a readable .npz file ({exc})") from None
    out: dict[str, np.ndarray] = {}
    with archive:
        for layer in layers:
            if layer.weight_quant is None:
                continue
            if layer.name not in archive.files:
                raise WorkloadError(f"{path}: no array for layer '{layer.name}'")
            w = archive[layer.name]
            if w.ndim == 2 and layer.R == layer.S == 1:
                w = w.reshape(w.shape + (1, 1))
            if tuple(w.shape) != layer.weight_shape:
                raise WorkloadError(
                    f"{path}: layer '{layer.name}' weights have shape {tuple(w.shape)}, "
                    f"the layer needs {layer.weight_shape}"
                )
            kind = layer.weight_quant.kind
            if kind is QuantKind.INT:
                lo, hi = _int_range(layer.weight_quant.bits)
                values = np.unique(w)
                bad = values[(values < lo) | (values > hi) | (values != np.round(values))]
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
