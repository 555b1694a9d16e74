"""ONNX models as hwsim networks: shapes from the ONNX ecosystem, every node lowered or counted.

:func:`load_onnx` is the entry point; :mod:`.graph` settles shapes, :mod:`.lower` turns nodes
into layers, :mod:`.weights` reads quantized or float weights, :mod:`.transformer_view`
recognises encoder stacks for the Transformer engines.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from hwsim.errors import WorkloadError
from hwsim.workload.layers import QuantKind
from hwsim.workload.network import Network
from hwsim.workload.onnx.graph import prepare
from hwsim.workload.onnx.lower import Lowering
from hwsim.workload.onnx.options import OnnxOptions, parse_options
from hwsim.workload.onnx.transformer_view import recognise_encoder
from hwsim.workload.sizes import check_layer_sizes

__all__ = ["OnnxOptions", "load_onnx", "load_onnx_model", "parse_options"]


def load_onnx(path: Path, options: OnnxOptions = OnnxOptions()) -> Network:
    """Read ``path`` and return its network: layers on canonical dims, weights, notes."""
    path = Path(path)
    graph = prepare(path, options)
    lowering = Lowering(graph, options)
    lowering.run()
    if not any(layer.macs for layer in lowering.layers):
        raise WorkloadError(f"{path}: no convolution, linear layer or matrix product found")
    layers = tuple(lowering.layers)
    check_layer_sizes(layers, str(path))
    quant_kinds = sorted({layer.weight_quant.label for layer in layers if layer.weight_quant is not None
                          and layer.kind.value in ("conv", "linear")})
    notes: dict[str, Any] = {
        "format": "onnx",
        "inputs": {inp.name: {"shape": list(inp.dims), "from": list(inp.sources)} for inp in graph.inputs},
        "weights": quant_kinds,
        "quantize": _quantize_note(options, lowering),
        "fused": dict(lowering.fused),
    }
    network = Network(name=path.stem, layers=layers, weights=lowering.weights, dataset="onnx",
                      notes=MappingProxyType(notes))
    view, reason = recognise_encoder(network, options)
    notes["transformer"] = (f"{view.workload.encoder_layers} encoder blocks (d_model {view.workload.d_model}, "
                            f"{view.workload.heads} heads, d_ff {view.workload.d_ff}, {view.workload.max_len} tokens)"
                            if view is not None else f"none: {reason}")
    return replace(network, transformer=view)


_RULES = {
    QuantKind.TERNARY: "the TWN rule, +-1 where |w| > 0.7 * mean|w| per tensor, else 0",
    QuantKind.BINARY: "sign, +1 where w >= 0 else -1",
    QuantKind.INT: "symmetric per tensor, round(w / max|w| * (2^(N-1) - 1))",
}


def _quantize_note(options: OnnxOptions, lowering: Lowering) -> str:
    """What happened to the graph's weights, with the measured sparsity when they were quantized here."""
    if options.quantize is None:
        return "none: float weights stay float, a quantizer's integers are used as they are"
    arrays = [lowering.weights[name] for name in lowering.weights]
    if not arrays:
        return f"{options.quantize.label}: the graph has no weights"
    zeros = sum(int(a.size - np.count_nonzero(a)) for a in arrays) / sum(a.size for a in arrays)
    return (f"{options.quantize.label}: every weight quantized by {_RULES[options.quantize.kind]}; "
            f"measured weight sparsity {zeros:.3f}")


def load_onnx_model(path: Path, overrides: dict[str, Any]) -> Network:
    """The zoo's reader: ``--set workload.*`` options checked, then :func:`load_onnx`."""
    return load_onnx(path, parse_options(path, overrides))
