"""Read a Transformer model file (schema ``hwsim.transformer/1``) into a workload.

Example (models/bert-base.yaml)::

    schema: hwsim.transformer/1
    name: bert-base
    model: {d_model: 768, heads: 12, d_ff: 3072, encoder_layers: 12, max_len: 512}
    quant: {weight_bits: 8, act_bits: 8, qk_bits: 4}
    workload: {seq_lengths: bert-base-seq.csv, num_sequences: 1000, seed: 0, top_k: 32}

``--set workload.<key>=value`` overrides any ``workload`` key before validation, e.g.
``workload.top_k=16`` or ``workload.seq_lengths=lengths.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal


from hwsim.errors import WorkloadError
from hwsim.limits import MAX_SEQUENCES, limit_text
from hwsim.spec.base import StrictSpec
from hwsim.workload.model_validation import validate_model_file
from hwsim.workload.seq_lengths import resolve_lengths
from hwsim.workload.transformer import TransformerWorkload

if TYPE_CHECKING:  # the annotations' constraints, resolved when a file is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, MinLen, doc

SCHEMA = "hwsim.transformer/1"


@dataclass(frozen=True, kw_only=True)
class ModelDims(StrictSpec):
    d_model: Annotated[int, Gt(0), Le(1 << 16), doc("model width, H * D")]
    heads: Annotated[int, Gt(0), Le(1024), doc("H")]
    d_ff: Annotated[int, Gt(0), Le(1 << 18), doc("FFN hidden width")]
    encoder_layers: Annotated[int, Ge(0), Le(1024)] = 0
    decoder_layers: Annotated[int, Ge(0), Le(1024)] = 0
    max_len: Annotated[int, Gt(0), Le(1 << 20), doc("longest sequence the model accepts")]

    def __post_init__(self) -> None:
        if self.d_model % self.heads:
            raise ValueError(f"d_model = {self.d_model} is not a multiple of heads = {self.heads}")
        if self.encoder_layers + self.decoder_layers == 0:
            raise ValueError("the model needs at least one encoder or decoder layer")


@dataclass(frozen=True, kw_only=True)
class TensorQuant(StrictSpec):
    """Per-tensor integer quantization (one scale per tensor)."""

    weight_bits: Annotated[int, Ge(2), Le(16)] = 8
    act_bits: Annotated[int, Ge(2), Le(16)] = 8
    qk_bits: Annotated[int, Ge(2), Le(8), doc("Q and K for the approximate scores")] = 4


@dataclass(frozen=True, kw_only=True)
class TransformerWorkloadOptions(StrictSpec):
    """Knobs that ``--set workload.<key>=value`` can change."""

    seq_lengths: Annotated[Any, doc("list of lengths, CSV path, or {distribution: ...}")]
    num_sequences: Annotated[int, Gt(0), Le(MAX_SEQUENCES)] | None = None
    seed: Annotated[int, Ge(0)] = 0
    top_k: Annotated[int, doc("keys kept per query; null for dense attention")] | None = None


@dataclass(frozen=True, kw_only=True)
class TransformerFile(StrictSpec):
    schema_: Literal["hwsim.transformer/1"]
    name: Annotated[str, MinLen(1)]
    description: str = ""
    source: str = ""
    model: ModelDims
    quant: TensorQuant = TensorQuant()
    workload: TransformerWorkloadOptions


def load_transformer_model(path: Path, data: dict[str, Any], overrides: dict[str, Any]) -> TransformerWorkload:
    """Validate a ``hwsim.transformer/1`` mapping, apply ``workload.*`` overrides, draw lengths."""
    origin = str(path)
    spec = validate_model_file(TransformerFile, data, overrides, origin)
    dims, opts = spec.model, spec.workload
    top_k = opts.top_k
    if top_k is not None and (isinstance(top_k, bool) or not 1 <= top_k <= dims.max_len):
        raise WorkloadError(
            f"{origin}: workload.top_k = {top_k!r}: must be in [1, {dims.max_len}] (k < 1 keeps no key; "
            f"k > max_len can never apply)"
        )
    lengths, description = resolve_lengths(
        opts.seq_lengths, num_sequences=opts.num_sequences, seed=opts.seed, max_len=dims.max_len,
        base_dir=path.parent, origin=origin,
    )
    if len(lengths) > MAX_SEQUENCES:
        raise WorkloadError(f"{origin}: workload.seq_lengths gives {len(lengths):,} sequences, more than the limit of "
                            f"{limit_text(MAX_SEQUENCES)}")
    return TransformerWorkload(
        name=spec.name, d_model=dims.d_model, heads=dims.heads, d_ff=dims.d_ff,
        encoder_layers=dims.encoder_layers, decoder_layers=dims.decoder_layers, max_len=dims.max_len,
        weight_bits=spec.quant.weight_bits, act_bits=spec.quant.act_bits, qk_bits=spec.quant.qk_bits,
        top_k=top_k, lengths=lengths, length_source=description, seed=opts.seed,
    )
