"""Helpers for the core tests: tiny accelerators, tiny layers, tiny model files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

from hwsim.spec.arch import load_arch_spec
from hwsim.workload.layers import Layer, LayerKind, Quant

PRESET_DIR = Path(str(resources.files("hwsim.presets")))


def tiny_imc(preset: str, **overrides):
    """``preset`` shrunk to one bank of one subarray of 4 columns, plus ``overrides``.

    Keys use ``__`` for dots: ``subarray__rows=16`` is ``subarray.rows``.
    """
    base = {"banks": 1, "subarrays_per_bank": 1, "subarray.cols": 4, "subarray.rows": 16}
    base.update({key.replace("__", "."): value for key, value in overrides.items()})
    return load_arch_spec(preset, base)


def linear_layer(c: int, k: int, n: int = 4, act_bits: int = 2, name: str = "fc") -> Layer:
    """A ternary linear layer: C inputs, K outputs, N samples (N output pixels = N columns)."""
    return Layer(name, LayerKind.LINEAR, n, k, c, 1, 1, 1, 1, 1, 0, ("",), act_bits, Quant.ternary())


def ternary(rows) -> np.ndarray:
    """(K, C) nested lists -> int8 (K, C, 1, 1) weights."""
    w = np.array(rows, dtype=np.int8)
    return w.reshape(w.shape + (1, 1))


TINY_MODEL_HEAD = """\
schema: hwsim.model/1
name: tiny
dataset: synthetic
input: {channels: 1, height: 4, width: 4}
quant: {weights: ternary, act_bits: 8}
workload: {weight_sparsity: 0.5, seed: 0}
"""

TINY_MODEL_LAYERS = """\
layers:
  - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
  - {name: c2, type: conv, out: 2, kernel: 3, stride: 2, pad: 1}
  - {name: fc, type: linear, out: 3}
"""
