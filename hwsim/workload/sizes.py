"""Check a network's sizes against the stated limits before weights or engines allocate anything.

Every reader (``hwsim.model/1`` files, SCALE-Sim topologies, ONNX graphs) calls
:func:`check_layer_sizes` on the layers it built, before it draws or reads weights; each
refusal names the file, the layer, the dimension, its value and the limit
(:mod:`hwsim.limits`).
"""

from __future__ import annotations

from typing import Sequence

from hwsim.errors import WorkloadError
from hwsim.limits import (MAX_DIM, MAX_LAYER_MACS, MAX_LAYER_WEIGHTS, MAX_LAYERS, MAX_NETWORK_WEIGHTS,
                          MAX_OUTPUT_DIM, limit_text)
from hwsim.workload.layers import WEIGHTED_KINDS, Layer, LayerKind

_DIMS = ("N", "G", "K", "C", "P", "Q", "R", "S")


def check_layer_count(count: int, origin: str) -> None:
    """Refuse a network of more than MAX_LAYERS layers."""
    if count > MAX_LAYERS:
        raise WorkloadError(f"{origin}: {count:,} layers, more than the limit of {limit_text(MAX_LAYERS)}")


def check_layer_sizes(layers: Sequence[Layer], origin: str) -> None:
    """Refuse a layer dimension, a layer's weights or MACs, or the network's weights above their limits.

    Parameters
    ----------
    layers
        The network's layers on canonical dims.
    origin
        The model file, for messages.
    """
    check_layer_count(len(layers), origin)
    total = 0
    for layer in layers:
        where = f"{origin}: layer '{layer.name}'"
        # a vector layer's K and C are its element count, an output size like P x Q
        outputs = ("P", "Q", "K", "C") if layer.kind is LayerKind.VECTOR else ("P", "Q")
        for dim in _DIMS:
            value, limit = getattr(layer, dim), MAX_OUTPUT_DIM if dim in outputs else MAX_DIM
            if value > limit:
                raise WorkloadError(f"{where}: {dim} = {value:,} exceeds the limit of {limit_text(limit)}")
        if layer.kind in WEIGHTED_KINDS:
            weights = layer.G * layer.K * layer.C * layer.R * layer.S
            if weights > MAX_LAYER_WEIGHTS:
                raise WorkloadError(f"{where}: {weights:,} weights {layer.weight_shape} exceed the limit of "
                                    f"{limit_text(MAX_LAYER_WEIGHTS)} per layer")
            total += weights
        if layer.macs > MAX_LAYER_MACS:
            raise WorkloadError(f"{where}: {layer.macs:,} MACs exceed the limit of {limit_text(MAX_LAYER_MACS)} per layer")
    if total > MAX_NETWORK_WEIGHTS:
        raise WorkloadError(f"{origin}: {total:,} weights in all exceed the limit of {limit_text(MAX_NETWORK_WEIGHTS)}")
