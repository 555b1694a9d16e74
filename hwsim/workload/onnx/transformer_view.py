"""Recognise the encoder stack of an imported Transformer, for the engines that run Transformers.

An attention is two matrix products of activations around a softmax: scores ``Q K^T`` (G =
batch x heads, P = L queries, C = D, K = L keys) then context ``A V`` (P = L, C = L keys,
K = D), whatever the exporter put between them (scaling, masks, reshapes, transposes;
fused or separate Q/K/V projections).  Its block is the linear layers around it: the
projections that read the model width d_model = H * D before the scores, then the output
projection (d_model -> d_model) and the feed-forward pair (d_model -> d_ff -> d_model)
after the context.  A stack of equal blocks becomes a :class:`TransformerWorkload` with the
same numbers a ``hwsim.transformer/1`` file gives, so the attention and roofline engines run
it as they run such a file.  Layers outside the blocks (patch embeddings, classifier heads,
token embeddings) are listed by name for those engines to report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwsim.workload.layers import Layer, LayerKind, QuantKind
from hwsim.workload.network import Network
from hwsim.workload.onnx.options import OnnxOptions
from hwsim.workload.transformer import TransformerWorkload
from hwsim.workload.vector_ops import VectorOp


@dataclass(frozen=True)
class EncoderBlock:
    """One recognised encoder block: its sizes and the span of layer indices it covers."""

    d_model: int
    heads: int
    head_dim: int
    d_ff: int
    seq_len: int
    batch: int
    first: int
    last: int


@dataclass(frozen=True)
class EncoderView:
    """The stack as a Transformer workload, and the layers outside it."""

    workload: TransformerWorkload
    outside: tuple[str, ...]


def recognise_encoder(network: Network, options: OnnxOptions) -> tuple[EncoderView | None, str]:
    """The encoder stack of ``network``, or None and the reason it has none."""
    layers = network.layers
    blocks: list[EncoderBlock] = []
    i = 0
    while i < len(layers):
        pair = _attention_at(layers, i)
        if pair is None:
            i += 1
            continue
        scores, context = pair
        block = _block(layers, scores, context, blocks[-1].last if blocks else -1)
        if isinstance(block, str):
            return None, block
        blocks.append(block)
        i = block.last + 1
    if not blocks:
        return None, "no attention (a matrix product of activations, softmax, a second product) found"
    first = blocks[0]
    for index, block in enumerate(blocks[1:], start=1):
        for field in ("d_model", "heads", "d_ff", "seq_len", "batch"):
            if getattr(block, field) != getattr(first, field):
                return None, (f"encoder blocks differ: block 0 has {field} = {getattr(first, field)}, block {index} "
                              f"has {getattr(block, field)} (the Transformer engines run a uniform stack)")
    weight_bits, act_bits = _widths(layers, blocks)
    inside = {k for block in blocks for k in range(block.first, block.last + 1)}
    outside = tuple(layer.name for k, layer in enumerate(layers) if k not in inside)
    workload = TransformerWorkload(
        name=network.name, d_model=first.d_model, heads=first.heads, d_ff=first.d_ff, encoder_layers=len(blocks),
        decoder_layers=0, max_len=first.seq_len, weight_bits=weight_bits, act_bits=act_bits,
        qk_bits=options.qk_bits, top_k=options.top_k, lengths=np.full(first.batch, first.seq_len, dtype=np.int64),
        length_source=f"the graph: {first.batch} x {first.seq_len} tokens", seed=0,
    )
    return EncoderView(workload, outside), ""


def _attention_at(layers: tuple[Layer, ...], i: int) -> tuple[int, int] | None:
    """(scores, context) indices when layer ``i`` is a score product followed by softmax and context."""
    s = layers[i]
    if s.kind is not LayerKind.MATMUL:
        return None
    softmax = False
    for j in range(i + 1, len(layers)):
        layer = layers[j]
        if layer.kind is LayerKind.VECTOR and layer.vector_op is VectorOp.SOFTMAX:
            softmax = True
        elif layer.kind is LayerKind.MATMUL:
            v = layer
            fits = (softmax and v.G == s.G and v.P == s.P and v.C == s.K and v.K == s.C)
            return (i, j) if fits else None
        elif layer.kind in (LayerKind.CONV, LayerKind.LINEAR):
            return None
    return None


def _block(layers: tuple[Layer, ...], scores: int, context: int, previous_end: int) -> EncoderBlock | str:
    s = layers[scores]
    head_dim, seq_len = s.C, s.P
    if s.K != seq_len:
        return f"layer '{s.name}': {s.K} keys for {seq_len} queries (cross-attention is not recognised)"
    linears = [k for k in range(previous_end + 1, scores) if layers[k].kind is LayerKind.LINEAR]
    if not linears:
        return f"layer '{s.name}': no Q/K/V projection before it"
    tokens = layers[linears[-1]].N  # the projections run on every token of every sequence
    if tokens % seq_len or s.G % (tokens // seq_len):
        return f"layer '{s.name}': {tokens} projected tokens do not split into sequences of {seq_len} and G = {s.G}"
    batch = tokens // seq_len
    heads = s.G // batch
    d_model = heads * head_dim
    projections = [k for k in linears if layers[k].C == d_model and layers[k].N == tokens]
    projected = sum(layers[k].K for k in projections)
    if projected != 3 * d_model:
        return f"layer '{s.name}': its Q/K/V projections give {projected} features, expected 3 x {d_model}"
    after = [k for k in range(context + 1, len(layers)) if layers[k].kind in (LayerKind.LINEAR, LayerKind.MATMUL,
                                                                               LayerKind.CONV)]
    if len(after) < 3:
        return f"layer '{layers[context].name}': no output projection and feed-forward pair after it"
    out, up, down = (layers[k] for k in after[:3])
    if out.kind is not LayerKind.LINEAR or (out.C, out.K) != (d_model, d_model):
        return f"layer '{out.name}': expected the output projection {d_model} -> {d_model}"
    if up.kind is not LayerKind.LINEAR or up.C != d_model:
        return f"layer '{up.name}': expected the feed-forward layer {d_model} -> d_ff"
    if down.kind is not LayerKind.LINEAR or (down.C, down.K) != (up.K, d_model):
        return f"layer '{down.name}': expected the feed-forward layer {up.K} -> {d_model}"
    # the residual adds and norms after the feed-forward layer belong to the block
    last = after[2]
    while last + 1 < len(layers) and layers[last + 1].kind in (LayerKind.ADD, LayerKind.VECTOR):
        last += 1
    first = projections[0]
    # a pre-norm block (ViT) opens with the layer norm its projections read
    while first - 1 > previous_end and layers[first - 1].vector_op is VectorOp.LAYER_NORM:
        first -= 1
    return EncoderBlock(d_model, heads, head_dim, up.K, seq_len, batch, first, last)


def _widths(layers: tuple[Layer, ...], blocks: list[EncoderBlock]) -> tuple[int, int]:
    """The widest weight and activation among the blocks' linear layers (floats count as 32 bits)."""
    weight_bits, act_bits = 0, 0
    for block in blocks:
        for layer in layers[block.first: block.last + 1]:
            if layer.kind is LayerKind.LINEAR and layer.weight_quant is not None:
                q = layer.weight_quant
                weight_bits = max(weight_bits, q.bits if q.kind is not QuantKind.FLOAT else 32)
                act_bits = max(act_bits, layer.act_bits)
    return weight_bits, act_bits
