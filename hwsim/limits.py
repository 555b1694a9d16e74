"""The stated limits on what hwsim reads: file sizes, YAML expansion, and the sizes of a workload.

Every input is checked against these before anything is allocated from it, so a hostile or
careless file (a "billion laughs" YAML, ``height: 10000000000``, a zip bomb posing as weights)
fails in one line naming the key, the value and the limit instead of exhausting memory or
time.  The limits are far above any real network or accelerator hwsim models (VGG-16 has
1.4e8 weights, ViT-B/16 8.6e7; ResNet-18's largest layer 1.2e8 MACs), and each names its unit.
"""

from __future__ import annotations

from typing import Any

MIB = 1 << 20

# -- files ------------------------------------------------------------------------------------
MAX_YAML_BYTES = 8 * MIB
"""A YAML document (arch spec, model, sweep, mapping file)."""

MAX_TEXT_BYTES = 64 * MIB
"""Any other text input: CSV topologies and length files, SCALE-Sim ``.cfg``, report JSON."""

MAX_NPZ_BYTES = 2048 * MIB
"""A weights ``.npz`` file (its compressed size; each array is checked against its layer's shape)."""

MAX_IDX_BYTES = 512 * MIB
"""An IDX image or label file (after gzip decompression)."""

MAX_ONNX_BYTES = 2048 * MIB
"""An ONNX model file (protobuf's own limit for one message)."""

# -- YAML structure ---------------------------------------------------------------------------
MAX_YAML_ALIASES = 256
"""Alias uses (``*name``) in one YAML document."""

MAX_YAML_NODES = 1_000_000
"""Nodes of a YAML document with every alias expanded (what the document means, not its text)."""

MAX_YAML_DEPTH = 64
"""Nesting depth of collections in a YAML or JSON document."""

# -- workloads --------------------------------------------------------------------------------
MAX_LAYERS = 100_000
"""Layers in one network (after depthwise layers of a topology are split into channels)."""

MAX_DIM = 1 << 20
"""Any one loop dimension of a layer (N, G, K, C, R, S) and any one input size."""

MAX_OUTPUT_DIM = 1 << 24
"""An output dimension of a layer (P, Q, and a vector layer's element count K = C): a GEMM's rows
(SCALE-Sim's M, e.g. 4,186,116 output pixels in U-Net's first layer) or every element of an
activation (1,204,224 in MobileNet-v2's first clips) land there; the MAC limit bounds the work."""

MAX_IMAGE_SIDE = 1 << 14
"""Height or width of an image input (16,384 pixels)."""

MAX_LAYER_WEIGHTS = 1 << 28
"""Weights of one layer (G x K x C x R x S), 268 million: 256 MiB as int8."""

MAX_NETWORK_WEIGHTS = 1 << 29
"""Weights of a whole network, 537 million: 512 MiB as int8."""

MAX_LAYER_MACS = 1 << 40
"""Multiply-accumulates of one layer, 1.1e12."""

MAX_SEQUENCES = 1 << 20
"""Sequences of one Transformer workload, 1,048,576 (a list, a length file or ``num_sequences``)."""

MAX_SNN_SAMPLE_STEPS = 1 << 23
"""Samples x time steps of one spiking-network run, 8.4 million (spiker-mnist: 539 x 3,500 = 1.9 million)."""

MAX_PIPELINE_JOBS = 1 << 22
"""Jobs (sequence x block pass) of a Transformer run through the attention pipeline, 4.2 million
(BERT-base: 12 passes, so up to 349,525 sequences; each job costs about 7 microseconds)."""

MAX_ONNX_NODES = 1_000_000
"""Nodes of an ONNX graph (ViT-B/16 exports have about 1,500)."""

MAX_ONNX_CONSTANT = 1 << 24
"""Elements of a constant the ONNX importer computes itself (folded Shape/Reshape/Range chains)."""


def over_limit(value: Any, limit: int | float) -> bool:
    """True when ``value`` is a number above ``limit`` (non-numbers are other checks' business)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > limit


def limit_text(limit: int | float) -> str:
    """A limit as people read it: 1,048,576 (2^20)."""
    if isinstance(limit, int) and limit >= 1024 and limit & (limit - 1) == 0:
        return f"{limit:,} (2^{limit.bit_length() - 1})"
    return f"{limit:,}"
