"""The YAML format of a network description (schema ``hwsim.model/1``), validated strictly.

Sizes are bounded (:mod:`hwsim.limits`): channels and outputs by ``MAX_DIM``, image sides,
kernels, strides and padding by ``MAX_IMAGE_SIDE``; the layers built from them are then
checked as a whole (:func:`hwsim.workload.sizes.check_layer_sizes`) before weights exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Literal

from hwsim.limits import MAX_DIM, MAX_IMAGE_SIDE, MAX_LAYERS
from hwsim.spec.base import StrictSpec
from hwsim.workload.layers import LayerKind

if TYPE_CHECKING:  # the annotations' constraints, resolved when a spec is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen, doc


class WeightFormat(str, Enum):
    TERNARY = "ternary"
    BINARY = "binary"
    INT = "int"


@dataclass(frozen=True, kw_only=True)
class InputShape(StrictSpec):
    channels: Annotated[int, Gt(0), Le(MAX_DIM)]
    height: Annotated[int, Gt(0), Le(MAX_IMAGE_SIDE)]
    width: Annotated[int, Gt(0), Le(MAX_IMAGE_SIDE)]
    batch: Annotated[int, Gt(0), Le(MAX_DIM)] = 1


@dataclass(frozen=True, kw_only=True)
class QuantEntry(StrictSpec):
    weights: WeightFormat
    weight_bits: Annotated[int, Ge(2), Le(8), doc("for int weights only")] | None = None
    act_bits: Annotated[int, Gt(0), Le(32)]

    def __post_init__(self) -> None:
        if (self.weights is WeightFormat.INT) != (self.weight_bits is not None):
            raise ValueError("'weight_bits' is required for int weights and not allowed otherwise")


@dataclass(frozen=True, kw_only=True)
class WorkloadOptions(StrictSpec):
    """Workload knobs that ``--set workload.<key>=value`` can change."""

    weight_sparsity: Annotated[float, Ge(0.0), Lt(1.0), doc("fraction of zero weights when generated")]
    seed: Annotated[int, Ge(0)] = 0
    weights_file: Annotated[str, doc(".npz with one array per weighted layer")] | None = None
    act_bits: Annotated[int, Gt(0), Le(32), doc("overrides quant.act_bits")] | None = None


@dataclass(frozen=True, kw_only=True)
class LayerEntry(StrictSpec):
    name: Annotated[str, MinLen(1)]
    type: LayerKind
    out: Annotated[int, Gt(0), Le(MAX_DIM), doc("output channels / features")] | None = None
    kernel: Annotated[int, Gt(0), Le(MAX_IMAGE_SIDE)] | None = None
    stride: Annotated[int, Gt(0), Le(MAX_IMAGE_SIDE)] = 1
    pad: Annotated[int, Ge(0), Le(MAX_IMAGE_SIDE)] = 0
    input: Annotated[str, doc("producing layer; default: the previous one")] | None = None
    inputs: Annotated[tuple[str, ...], doc("for add layers")] | None = None
    global_: Annotated[bool, doc("pool over the whole image")] = False


@dataclass(frozen=True, kw_only=True)
class ModelFile(StrictSpec):
    schema_: Literal["hwsim.model/1"]
    name: Annotated[str, MinLen(1)]
    dataset: str = ""
    description: str = ""
    input: InputShape
    quant: QuantEntry
    workload: WorkloadOptions
    layers: Annotated[tuple[LayerEntry, ...], MinLen(1), MaxLen(MAX_LAYERS)]
