"""Spec of a CPU or GPU baseline modelled by the roofline (family ``roofline``).

Each kernel takes ``max(MACs / achieved MAC rate, bytes / achieved bandwidth)`` plus a fixed
per-kernel overhead (launch or dispatch), and the device draws ``power_w`` while it runs.
Sequences are batched and zero-padded to the longest one of each batch, as frameworks do
(or to ``pad_to_length``, as a runtime compiled for one input shape does).
Every number carries a ``source``.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import Field, field_validator

from hwsim.spec.base import StrictSpec
from hwsim.spec.enums import Family


class DeviceKind(str, Enum):
    CPU = "cpu"
    GPU = "gpu"


class SourcedNumber(StrictSpec):
    value: float = Field(gt=0.0)
    source: str = Field(min_length=1)


class SourcedFraction(StrictSpec):
    value: float = Field(gt=0.0, le=1.0)
    source: str = Field(min_length=1)


class RooflineSpec(StrictSpec):
    """A processor as peak rates, achieved fractions, per-kernel overhead and power."""

    schema_: Literal["hwsim.arch/1"] = Field(alias="schema")
    name: str = Field(min_length=1)
    family: Literal[Family.ROOFLINE]
    description: str = ""
    device: DeviceKind
    part: str = Field(min_length=1)
    clock_mhz: float = Field(gt=0.0, le=10000.0, description="reported clock; cycles = seconds x clock")
    peak_macs_per_s: SourcedNumber = Field(description="multiply-accumulates per second at the data type used")
    compute_efficiency: SourcedFraction = Field(description="achieved fraction of peak on the GEMMs")
    memory_bandwidth_gb_s: SourcedNumber
    memory_efficiency: SourcedFraction
    kernel_overhead_us: SourcedNumber = Field(description="launch or dispatch time per kernel")
    bytes_per_element: int = Field(ge=1, le=8, description="4 for fp32, 2 for fp16, 1 for int8")
    power_w: SourcedNumber = Field(description="average power while running")
    batch_sequences: int = Field(gt=0, le=1 << 16, description="sequences per batch, padded to its longest")
    pad_to_length: int | None = Field(
        default=None, gt=0, description="pad every sequence to this fixed length instead (a fixed-shape runtime)")

    @field_validator("family", mode="before")
    @classmethod
    def _family_from_str(cls, value: object) -> object:
        return Family(value) if isinstance(value, str) and value in {f.value for f in Family} else value
