"""Spec of a CPU or GPU baseline modelled by the roofline (family ``roofline``).

Each kernel takes ``max(MACs / achieved MAC rate, bytes / achieved bandwidth)`` plus a fixed
per-kernel overhead (launch or dispatch), and the device draws ``power_w`` while it runs.
Sequences are batched and zero-padded to the longest one of each batch, as frameworks do
(or to ``pad_to_length``, as a runtime compiled for one input shape does).
Every number carries a ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Literal

from hwsim.spec.base import StrictSpec, check_family
from hwsim.spec.enums import Family

if TYPE_CHECKING:  # the annotations' constraints, resolved when a spec is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, MinLen, doc


class DeviceKind(str, Enum):
    CPU = "cpu"
    GPU = "gpu"


@dataclass(frozen=True, kw_only=True)
class SourcedNumber(StrictSpec):
    value: Annotated[float, Gt(0.0)]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class SourcedFraction(StrictSpec):
    value: Annotated[float, Gt(0.0), Le(1.0)]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class RooflineSpec(StrictSpec):
    """A processor as peak rates, achieved fractions, per-kernel overhead and power."""

    schema_: Literal["hwsim.arch/1"]
    name: Annotated[str, MinLen(1)]
    family: Family
    description: str = ""
    device: DeviceKind
    part: Annotated[str, MinLen(1)]
    clock_mhz: Annotated[float, Gt(0.0), Le(10000.0), doc("reported clock; cycles = seconds x clock")]
    peak_macs_per_s: Annotated[SourcedNumber, doc("multiply-accumulates per second at the data type used")]
    compute_efficiency: Annotated[SourcedFraction, doc("achieved fraction of peak on the GEMMs")]
    memory_bandwidth_gb_s: SourcedNumber
    memory_efficiency: SourcedFraction
    kernel_overhead_us: Annotated[SourcedNumber, doc("launch or dispatch time per kernel")]
    bytes_per_element: Annotated[int, Ge(1), Le(8), doc("4 for fp32, 2 for fp16, 1 for int8")]
    power_w: Annotated[SourcedNumber, doc("average power while running")]
    batch_sequences: Annotated[int, Gt(0), Le(1 << 16), doc("sequences per batch, padded to its longest")]
    pad_to_length: Annotated[int, Gt(0), doc("pad every sequence to this fixed length instead (a fixed-shape runtime)")] | None = None

    def __post_init__(self) -> None:
        check_family(self, Family.ROOFLINE)
