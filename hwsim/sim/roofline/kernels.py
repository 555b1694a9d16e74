"""The kernels a framework launches for one stage of a Transformer block, on a padded batch.

Each kernel is (MACs, bytes moved); GEMMs read their weights and activations and write
their outputs, element-wise kernels (softmax, GELU, residual add + layer norm) read and
write their tensors.  Attention is dense: a CPU or GPU computes every score.
"""

from __future__ import annotations

from dataclasses import dataclass

from hwsim.workload.layers import GEMM_KINDS, Layer, LayerKind
from hwsim.workload.transformer import Stage, TransformerWorkload


@dataclass(frozen=True)
class Kernel:
    name: str
    macs: int
    elements: int   # elements read + written


def stage_kernels(workload: TransformerWorkload, stage: Stage, sequences: int, length: int) -> tuple[Kernel, ...]:
    """Kernels of ``stage`` for ``sequences`` sequences padded to ``length`` tokens."""
    n, L = sequences, length
    d, h, D, ff = workload.d_model, workload.heads, workload.head_dim, workload.d_ff
    tokens = n * L

    def gemm(name: str, k_in: int, k_out: int) -> Kernel:
        return Kernel(name, tokens * k_in * k_out, k_in * k_out + tokens * (k_in + k_out))

    def norm(name: str) -> Kernel:  # residual add + layer norm: two inputs, one output
        return Kernel(name, 0, 3 * tokens * d)

    if stage in (Stage.QKV, Stage.CROSS_QKV):
        return (gemm("qkv", d, 3 * d),)
    if stage in (Stage.ATTENTION, Stage.CROSS_ATTENTION):
        scores = n * h * L * L
        return (
            Kernel("qk", scores * D, 2 * tokens * d + scores),
            Kernel("softmax", 0, 2 * scores),
            Kernel("av", scores * D, scores + 2 * tokens * d),
        )
    if stage in (Stage.OUTPUT, Stage.CROSS_OUTPUT):
        return gemm("proj", d, d), norm("add_norm")
    if stage is Stage.FFN_UP:
        return gemm("ffn1", d, ff), Kernel("gelu", 0, 2 * tokens * ff)
    return gemm("ffn2", ff, d), norm("add_norm")


def layer_kernel(layer: Layer) -> Kernel:
    """One imported layer as a kernel: its MACs and the elements it reads and writes.

    A product reads its input window footprint and its weights (or second operand) and writes
    its output; element-wise layers read and write their tensors.
    """
    out = layer.output_elements
    if layer.kind in GEMM_KINDS:
        rows = (layer.P - 1) * layer.stride[0] + layer.window_rows
        cols = (layer.Q - 1) * layer.stride[1] + layer.window_cols
        inputs = layer.N * layer.G * layer.C * rows * cols
        return Kernel(layer.name, layer.macs, inputs + layer.G * layer.K * layer.reduction + out)
    if layer.kind is LayerKind.ADD:
        return Kernel(layer.name, 0, out * (len(layer.inputs) + 1))
    if layer.kind in (LayerKind.MAXPOOL, LayerKind.AVGPOOL):
        return Kernel(layer.name, 0, out * (layer.R * layer.S + 1))
    return Kernel(layer.name, 0, 2 * layer.K)  # a vector layer reads and writes its elements
