"""Networks: ordered layers plus their real weight tensors."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from hwsim.workload.layers import Layer

if TYPE_CHECKING:
    from hwsim.workload.onnx.transformer_view import EncoderView


@dataclass(frozen=True, eq=False)
class Network:
    """A network ready to map.

    ``weights`` maps each weighted layer's name to an array of shape (G * K, C, R, S): the
    quantized integers (int8; ternary: -1, 0, +1), or floats for an unquantized ONNX graph.
    ``notes`` are facts about where the layers came from, reported with the workload (an
    ONNX import's settled input shapes, fused operators, quantization).  ``transformer`` is
    the encoder stack recognised in an imported graph, for engines that run Transformers.
    """

    name: str
    layers: tuple[Layer, ...]
    weights: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    dataset: str = ""
    weight_sparsity_requested: float | None = None
    seed: int = 0
    notes: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    transformer: EncoderView | None = None

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    def weight_sparsity(self, nonzeros: Mapping[str, int] | None = None) -> float:
        """Measured fraction of zero weights over all weighted layers; ``nonzeros``: the non-zero
        counts of tensors already counted (by layer name), which are not counted again."""
        total = sum(w.size for w in self.weights.values())
        if total == 0:
            return 0.0
        known = nonzeros or {}
        zeros = sum(int(w.size - (known[name] if name in known else np.count_nonzero(w)))
                    for name, w in self.weights.items())
        return zeros / total
