"""Transformer workloads: encoder/decoder layers on dims B, H, L, D and their work per stage.

A :class:`TransformerWorkload` is a stack of blocks (encoder layers, then decoder layers) run
on B sequences of lengths ``lengths`` (one per sequence).  Each block is cut into the
coarse-grained stages an accelerator pipelines (:class:`Stage`); :func:`stage_work` gives the
work of one stage for an array of lengths, so an engine prices 1,000 sequences in a few
numpy operations.

Conventions (all per sequence of length L, model width ``d_model = H * D``):

- QKV projection: ``3 * L * d_model * d_model`` MACs; output projection ``L * d_model^2``;
  FFN ``2 * L * d_model * d_ff``; weights are ``weight_bits`` integers with one scale per
  tensor, activations ``act_bits`` integers with one scale per tensor.
- Attention per head: scores ``L * L_kv * D``, values ``L * kept * D`` MACs, softmax over
  ``kept`` scores per query, where ``kept = min(top_k, L_kv)`` (all ``L_kv`` keys when dense).
  A sequence shorter than ``top_k`` keeps all its keys.
- A decoder block has a masked self-attention computed densely then masked (as hardware
  does), a cross-attention over an encoder memory of the same length L, and an FFN.
- Layer norm and residual adds are element-wise over ``L * d_model``; GELU over ``L * d_ff``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from hwsim.mapping.loopnest.attention import AttentionShape, attention_gemms
from hwsim.workload.layers import Layer, LayerKind, Quant, QuantKind


class BlockKind(str, Enum):
    ENCODER = "encoder"
    DECODER = "decoder"


class Stage(str, Enum):
    """Coarse pipeline stages of one block, in execution order."""

    QKV = "qkv"              # Q, K, V projections
    ATTENTION = "attn"       # scores, (top-k), softmax, weighted sum of V
    OUTPUT = "out"           # output projection, residual add, layer norm
    CROSS_QKV = "xqkv"       # decoder: Q from the decoder, K and V from the encoder memory
    CROSS_ATTENTION = "xattn"
    CROSS_OUTPUT = "xout"
    FFN_UP = "ffn1"          # d_model -> d_ff and the activation
    FFN_DOWN = "ffn2"        # d_ff -> d_model, residual add, layer norm


STAGES_BY_BLOCK: dict[BlockKind, tuple[Stage, ...]] = {
    BlockKind.ENCODER: (Stage.QKV, Stage.ATTENTION, Stage.OUTPUT, Stage.FFN_UP, Stage.FFN_DOWN),
    BlockKind.DECODER: (Stage.QKV, Stage.ATTENTION, Stage.OUTPUT, Stage.CROSS_QKV, Stage.CROSS_ATTENTION,
                        Stage.CROSS_OUTPUT, Stage.FFN_UP, Stage.FFN_DOWN),
}

ATTENTION_STAGES = frozenset({Stage.ATTENTION, Stage.CROSS_ATTENTION})


@dataclass(frozen=True)
class Block:
    """One encoder or decoder layer; ``name`` is ``enc<i>`` or ``dec<i>``."""

    name: str
    kind: BlockKind

    @property
    def stages(self) -> tuple[Stage, ...]:
        return STAGES_BY_BLOCK[self.kind]


@dataclass(frozen=True)
class StageWork:
    """Work of one stage for each sequence (arrays of one entry per length, int64).

    ``proj_macs`` are weight x activation MACs (projections, FFN); ``score_macs`` the dense
    query-key dot products (D MACs each); ``value_macs`` the probabilities x V MACs on kept
    keys; ``softmax_elems`` the exponentials; ``norm_elems`` layer-norm and residual elements;
    ``activation_elems`` GELU inputs; ``weight_bytes`` the stage's weights (same for every
    sequence); ``act_bytes`` activations read and written by the stage.
    """

    proj_macs: np.ndarray
    score_macs: np.ndarray
    exact_score_macs: np.ndarray
    value_macs: np.ndarray
    score_count: np.ndarray
    softmax_elems: np.ndarray
    norm_elems: np.ndarray
    activation_elems: np.ndarray
    weight_bytes: int
    act_bytes: np.ndarray


@dataclass(frozen=True, eq=False)
class TransformerWorkload:
    """A quantized Transformer and the lengths of the B sequences it runs on."""

    name: str
    d_model: int
    heads: int
    d_ff: int
    encoder_layers: int
    decoder_layers: int
    max_len: int
    weight_bits: int
    act_bits: int
    qk_bits: int
    top_k: int | None
    lengths: np.ndarray
    length_source: str = ""
    seed: int = 0

    @property
    def head_dim(self) -> int:
        """D = d_model / H."""
        return self.d_model // self.heads

    @property
    def batch(self) -> int:
        """B: the number of sequences."""
        return int(self.lengths.size)

    @property
    def blocks(self) -> tuple[Block, ...]:
        enc = tuple(Block(f"enc{i}", BlockKind.ENCODER) for i in range(self.encoder_layers))
        dec = tuple(Block(f"dec{i}", BlockKind.DECODER) for i in range(self.decoder_layers))
        return enc + dec

    @property
    def layers(self) -> tuple[Block, ...]:
        """The blocks, under the name every workload gives its layers."""
        return self.blocks

    def kept_keys(self, lengths: np.ndarray) -> np.ndarray:
        """Keys kept per query: ``min(top_k, L)``, or L for dense attention."""
        lengths = np.asarray(lengths, dtype=np.int64)
        return lengths if self.top_k is None else np.minimum(lengths, self.top_k)

    def stage_work(self, stage: Stage, lengths: np.ndarray, *, sparse: bool) -> StageWork:
        """The work of ``stage`` for sequences of ``lengths``; ``sparse`` applies top-k."""
        L = np.asarray(lengths, dtype=np.int64)
        d, h, D, ff = self.d_model, self.heads, self.head_dim, self.d_ff
        zero = np.zeros_like(L)
        wbytes = self.weight_bits / 8
        abytes = self.act_bits / 8
        proj = {Stage.QKV: 3 * d * d, Stage.OUTPUT: d * d, Stage.CROSS_QKV: 3 * d * d,
                Stage.CROSS_OUTPUT: d * d, Stage.FFN_UP: d * ff, Stage.FFN_DOWN: ff * d}
        if stage in ATTENTION_STAGES:
            kept = self.kept_keys(L) if sparse else L
            scores = h * L * L
            return StageWork(
                proj_macs=zero, score_macs=scores * D, exact_score_macs=h * L * kept * D,
                value_macs=h * L * kept * D, score_count=scores, softmax_elems=h * L * kept,
                norm_elems=zero, activation_elems=zero, weight_bytes=0,
                act_bytes=np.ceil((4 * L * d) * abytes).astype(np.int64),  # Q, K, V in, context out
            )
        weights = proj[stage]
        out_width = {Stage.QKV: 3 * d, Stage.CROSS_QKV: 3 * d, Stage.FFN_UP: ff}.get(stage, d)
        in_width = ff if stage is Stage.FFN_DOWN else d
        norm = 2 * L * d if stage in (Stage.OUTPUT, Stage.CROSS_OUTPUT, Stage.FFN_DOWN) else zero
        return StageWork(
            proj_macs=L * weights, score_macs=zero, exact_score_macs=zero, value_macs=zero, score_count=zero,
            softmax_elems=zero, norm_elems=norm, activation_elems=L * ff if stage is Stage.FFN_UP else zero,
            weight_bytes=int(np.ceil(weights * wbytes)),
            act_bytes=np.ceil(L * (in_width + out_width) * abytes).astype(np.int64),
        )

    def attention_shape(self, block: Block, length: int, *, sparse: bool) -> AttentionShape:
        """One sequence's attention of ``block`` on canonical dims, for the loop-nest mapper."""
        kept = int(self.kept_keys(np.array([length]))[0]) if sparse and self.top_k is not None else None
        return AttentionShape(f"{block.name}.attn", B=1, H=self.heads, L=length, D=self.head_dim,
                              kept_keys=kept, act_bits=self.act_bits)

    def gemm_layers(self, block: Block, length: int, *, sparse: bool) -> tuple[Layer, ...]:
        """Every matrix product of ``block`` for one sequence as mapper layers (N = L tokens)."""
        quant = Quant(QuantKind.INT, self.weight_bits)
        d, ff = self.d_model, self.d_ff

        def linear(name: str, out: int, inp: int) -> Layer:
            return Layer(f"{block.name}.{name}", LayerKind.LINEAR, length, out, inp, 1, 1, 1, 1, 1, 0,
                         ("",), self.act_bits, quant)

        layers = [linear("qkv", 3 * d, d), *attention_gemms(self.attention_shape(block, length, sparse=sparse)),
                  linear("out", d, d)]
        if block.kind is BlockKind.DECODER:
            layers += [linear("xqkv", 3 * d, d), linear("xout", d, d)]
        return tuple(layers + [linear("ffn1", ff, d), linear("ffn2", d, ff)])

    def describe(self) -> dict[str, object]:
        """Workload facts for a report's ``workload`` section."""
        L = self.lengths
        return {
            "batch_sequences": self.batch,
            "heads": self.heads,
            "head_dim": self.head_dim,
            "d_model": self.d_model,
            "d_ff": self.d_ff,
            "encoder_layers": self.encoder_layers,
            "decoder_layers": self.decoder_layers,
            "max_len": self.max_len,
            "top_k": self.top_k,
            "seq_lengths": self.length_source,
            "length_mean": float(L.mean()),
            "length_min": int(L.min()),
            "length_max": int(L.max()),
            "weight_bits": self.weight_bits,
            "act_bits": self.act_bits,
            "qk_bits": self.qk_bits,
            "seed": self.seed,
        }
