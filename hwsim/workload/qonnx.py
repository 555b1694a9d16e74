"""QONNX quantizers (``Quant``, ``BipolarQuant``) evaluated on constant tensors.

The integers a QONNX ``Quant`` node produces before rescaling are what the hardware stores:
``q = clip(round(x / scale + zero_point), lo, hi) - zero_point`` for a ``bitwidth``-bit
(un)signed, optionally narrow range; ``BipolarQuant`` gives ``+1`` where ``x >= 0`` and ``-1``
elsewhere.  Semantics after the QONNX operator specification (fastmachinelearning/qonnx,
docs/qonnx-custom-ops/quant_op.md and bipolar_quant_op.md).
"""

from __future__ import annotations

import numpy as np

from hwsim.errors import WorkloadError

QONNX_OPS = frozenset({"Quant", "BipolarQuant"})

_ROUNDING = {
    "ROUND": np.round,  # half to even, as QONNX's reference does
    "CEIL": np.ceil,
    "FLOOR": np.floor,
    "ROUND_TO_ZERO": np.fix,
}


def int_range(bits: int, signed: bool, narrow: bool) -> tuple[int, int]:
    """Smallest and largest integer of a ``bits``-bit quantizer."""
    if signed:
        return -(1 << (bits - 1)) + (1 if narrow else 0), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1 - (1 if narrow else 0)


def quant_integers(x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray, bits: int, *, signed: bool,
                   narrow: bool, rounding: str, where: str) -> np.ndarray:
    """The integers of ``Quant(x)`` (before multiplying back by ``scale``), as int64."""
    if rounding not in _ROUNDING:
        raise WorkloadError(f"{where}: rounding_mode '{rounding}' is not supported ({', '.join(_ROUNDING)})")
    if not 1 <= bits <= 32 or bits != int(bits):
        raise WorkloadError(f"{where}: bitwidth = {bits} must be an integer in [1, 32]")
    if np.any(np.asarray(scale) <= 0):
        raise WorkloadError(f"{where}: scale must be positive, got {np.asarray(scale).min()}")
    lo, hi = int_range(int(bits), signed, narrow)
    zp = np.asarray(zero_point, dtype=np.float64)
    q = np.clip(_ROUNDING[rounding](np.asarray(x, dtype=np.float64) / scale + zp), lo, hi)
    return (q - zp).astype(np.int64)


def bipolar_integers(x: np.ndarray) -> np.ndarray:
    """The signs of ``BipolarQuant(x)``: +1 where ``x >= 0``, else -1."""
    return np.where(np.asarray(x) >= 0, 1, -1).astype(np.int64)
