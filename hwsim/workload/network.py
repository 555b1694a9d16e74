"""Networks: ordered layers plus their real weight tensors."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np

from hwsim.workload.layers import Layer


@dataclass(frozen=True, eq=False)
class Network:
    """A quantized network ready to map.

    ``weights`` maps each weighted layer's name to an int8 array of shape (K, C, R, S) whose
    values are the quantized integers (ternary: -1, 0, +1).
    """

    name: str
    layers: tuple[Layer, ...]
    weights: Mapping[str, np.ndarray] = field(default_factory=lambda: MappingProxyType({}))
    dataset: str = ""
    weight_sparsity_requested: float | None = None
    seed: int = 0

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    def weight_sparsity(self) -> float:
        """Measured fraction of zero weights over all weighted layers."""
        total = sum(w.size for w in self.weights.values())
        if total == 0:
            return 0.0
        zeros = sum(int(w.size - np.count_nonzero(w)) for w in self.weights.values())
        return zeros / total
