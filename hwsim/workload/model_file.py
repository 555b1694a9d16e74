"""The YAML format of a network description (schema ``hwsim.model/1``), validated strictly.

Sizes are bounded (:mod:`hwsim.limits`): channels and outputs by ``MAX_DIM``, image sides,
kernels, strides and padding by ``MAX_IMAGE_SIDE``; the layers built from them are then
checked as a whole (:func:`hwsim.workload.sizes.check_layer_sizes`) before weights exist.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import Field, model_validator

from hwsim.limits import MAX_DIM, MAX_IMAGE_SIDE, MAX_LAYERS
from hwsim.spec.base import StrictSpec
from hwsim.workload.layers import LayerKind


class WeightFormat(str, Enum):
    TERNARY = "ternary"
    BINARY = "binary"
    INT = "int"


class InputShape(StrictSpec):
    channels: int = Field(gt=0, le=MAX_DIM)
    height: int = Field(gt=0, le=MAX_IMAGE_SIDE)
    width: int = Field(gt=0, le=MAX_IMAGE_SIDE)
    batch: int = Field(default=1, gt=0, le=MAX_DIM)


class QuantEntry(StrictSpec):
    weights: WeightFormat
    weight_bits: int | None = Field(default=None, ge=2, le=8, description="for int weights only")
    act_bits: int = Field(gt=0, le=32)

    @model_validator(mode="after")
    def _bits_match_format(self) -> "QuantEntry":
        if (self.weights is WeightFormat.INT) != (self.weight_bits is not None):
            raise ValueError("'weight_bits' is required for int weights and not allowed otherwise")
        return self


class WorkloadOptions(StrictSpec):
    """Workload knobs that ``--set workload.<key>=value`` can change."""

    weight_sparsity: float = Field(ge=0.0, lt=1.0, description="fraction of zero weights when generated")
    seed: int = Field(default=0, ge=0)
    weights_file: str | None = Field(default=None, description=".npz with one array per weighted layer")
    act_bits: int | None = Field(default=None, gt=0, le=32, description="overrides quant.act_bits")


class LayerEntry(StrictSpec):
    name: str = Field(min_length=1)
    type: LayerKind
    out: int | None = Field(default=None, gt=0, le=MAX_DIM, description="output channels / features")
    kernel: int | None = Field(default=None, gt=0, le=MAX_IMAGE_SIDE)
    stride: int = Field(default=1, gt=0, le=MAX_IMAGE_SIDE)
    pad: int = Field(default=0, ge=0, le=MAX_IMAGE_SIDE)
    input: str | None = Field(default=None, description="producing layer; default: the previous one")
    inputs: tuple[str, ...] | None = Field(default=None, description="for add layers")
    global_: bool = Field(default=False, alias="global", description="pool over the whole image")


class ModelFile(StrictSpec):
    schema_: Literal["hwsim.model/1"] = Field(alias="schema")
    name: str = Field(min_length=1)
    dataset: str = ""
    description: str = ""
    input: InputShape
    quant: QuantEntry
    workload: WorkloadOptions
    layers: tuple[LayerEntry, ...] = Field(min_length=1, max_length=MAX_LAYERS)
