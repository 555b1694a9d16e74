"""Spec of an FPGA Transformer accelerator with optional top-k sparse attention (family ``attention``).

The design (after Peng et al., DAC 2022) has one engine per coarse pipeline stage of an
encoder layer, all reused by every layer: a pool of DSP multipliers split over the stages
(projections, exact attention, FFN), optionally a lookup-table (LUT) score engine and top-k
units that pick the kept keys, a vector unit for softmax, layer norm and GELU, and DRAM that
streams the weights.  A spec without ``score_engine`` and ``topk_unit`` computes dense
attention.  Every energy carries a ``source``; the FPGA's budget is checked against what
the engines need.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Literal

from hwsim.spec.base import EnergyEntry, StrictSpec, check_family
from hwsim.spec.enums import Family

if TYPE_CHECKING:  # the annotations' constraints, resolved when a spec is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, MinLen, doc


class Scheduling(str, Enum):
    """How sequences of different lengths go through the pipeline.

    ``padded``: every sequence is zero-padded (to the batch's longest or the model's max
    length) and costs as much as a padded one; ``length_aware``: each sequence costs its own
    length, so short ones free their stage early and the next sequence enters.
    """

    PADDED = "padded"
    LENGTH_AWARE = "length_aware"


class PadTo(str, Enum):
    BATCH_MAX = "batch_max"   # the longest sequence of each batch
    MODEL_MAX = "model_max"   # the model's max_len (fixed-shape accelerators)


class StageBalancing(str, Enum):
    """How the DSP pool is split over the pipeline stages.

    ``critical_path``: DSP groups are given one by one to the stage on the critical path
    (the slowest stage for the expected workload), which minimises the pipeline's
    bottleneck; ``even``: the same number of DSPs per stage.
    """

    CRITICAL_PATH = "critical_path"
    EVEN = "even"


@dataclass(frozen=True, kw_only=True)
class FpgaSpec(StrictSpec):
    """The device's resource budget and idle power."""

    part: Annotated[str, MinLen(1)]
    dsp: Annotated[int, Gt(0), Le(1 << 20)]
    lut: Annotated[int, Gt(0), Le(1 << 26)]
    bram36: Annotated[int, Gt(0), Le(1 << 20), doc("36 Kb block RAMs (UltraRAM counted as 8 each)")]
    static_power_w: Annotated[float, Ge(0.0), doc("device + board power drawn whatever the work")]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class DspPoolSpec(StrictSpec):
    """The DSP multipliers shared out over the stages (projections, exact attention, FFN)."""

    dsp: Annotated[int, Gt(0), Le(1 << 20)]
    macs_per_dsp: Annotated[int, Ge(1), Le(4), doc("int8 MACs per DSP per cycle (2 with operand packing)")]
    group_dsp: Annotated[int, Ge(1), doc("allocation granularity of the stage balancer")] = 32
    pipeline_latency_cycles: Annotated[int, Ge(0), doc("fill latency of a stage's array per job")] = 16
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class ScoreEngineSpec(StrictSpec):
    """Lookup-table score units: each one computes a D-long 4x4-bit dot product.

    A unit has ``lanes`` LUT multipliers and an adder tree, so a score takes ``ceil(D/lanes)``
    cycles (the ``lut_score_unit`` block); ``units`` work on different keys in parallel.
    """

    units: Annotated[int, Gt(0), Le(1 << 16)]
    lanes: Annotated[int, Gt(0), Le(1024), doc("4x4-bit LUT multipliers per unit")]
    luts_per_lane: Annotated[int, Gt(0), doc("LUT6 per multiplier table and its share of the adder tree")]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class TopkUnitSpec(StrictSpec):
    """Streaming top-k units: one score per cycle per unit, one query at a time (``topk_unit``)."""

    units: Annotated[int, Gt(0), Le(1 << 16)]
    k_max: Annotated[int, Gt(0), Le(4096), doc("largest k the unit's register file holds")]
    score_bits: Annotated[int, Ge(4), Le(32)]
    luts_per_entry: Annotated[int, Gt(0), doc("comparator and shift-register LUTs per kept entry")]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class VectorUnitSpec(StrictSpec):
    """Element-wise unit for softmax (exp), layer norm, residual adds and GELU."""

    lanes: Annotated[int, Gt(0), Le(1 << 16)]
    luts_per_lane: Annotated[int, Gt(0)]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class MemorySpec(StrictSpec):
    dram_bandwidth_gb_s: Annotated[float, Gt(0.0), doc("sustained off-chip bandwidth, GB/s")]
    activation_bytes_per_bram36: Annotated[int, Gt(0), doc("bytes held per BRAM36 (36 Kb)")] = 4608
    buffered_copies: Annotated[int, Ge(1), doc("activation buffers per sequence in flight")] = 4
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class SchedulingSpec(StrictSpec):
    mode: Scheduling
    pad_to: PadTo = PadTo.BATCH_MAX
    batch_sequences: Annotated[int, Gt(0), Le(1 << 16), doc("sequences per batch; weights are read once per batch")]
    stage_balancing: StageBalancing = StageBalancing.CRITICAL_PATH


@dataclass(frozen=True, kw_only=True)
class EnergySpec(StrictSpec):
    """Dynamic energy per action (pJ); static power is in ``fpga``."""

    dsp_mac: EnergyEntry
    lut_mac: Annotated[EnergyEntry, doc("one 4x4-bit LUT product and its addition")]
    topk_compare: Annotated[EnergyEntry, doc("one score compared and inserted")]
    vector_op: EnergyEntry
    bram_byte: Annotated[EnergyEntry, doc("one byte read or written on chip")]
    dram_byte: EnergyEntry


@dataclass(frozen=True, kw_only=True)
class AttentionSpec(StrictSpec):
    """A Transformer accelerator on one FPGA; see the module docstring."""

    schema_: Literal["hwsim.arch/1"]
    name: Annotated[str, MinLen(1)]
    family: Family
    description: str = ""
    clock_mhz: Annotated[float, Gt(0.0), Le(2000.0)]
    fpga: FpgaSpec
    dsp_pool: DspPoolSpec
    score_engine: ScoreEngineSpec | None = None
    topk_unit: TopkUnitSpec | None = None
    vector_unit: VectorUnitSpec
    control_luts: Annotated[int, Ge(0), doc("controllers, interconnect, DMA")] = 0
    memory: MemorySpec
    scheduling: SchedulingSpec
    energy: EnergySpec

    def __post_init__(self) -> None:
        check_family(self, Family.ATTENTION)
        if (self.score_engine is None) != (self.topk_unit is None):
            raise ValueError("'score_engine' and 'topk_unit' go together: give both (top-k) or neither (dense)")
        if self.dsp_pool.dsp > self.fpga.dsp:
            raise ValueError(f"dsp_pool.dsp = {self.dsp_pool.dsp} exceeds the {self.fpga.dsp} DSPs of {self.fpga.part}")
        if self.luts_used > self.fpga.lut:
            raise ValueError(f"the engines need {self.luts_used} LUTs, {self.fpga.part} has {self.fpga.lut}")

    @property
    def sparse(self) -> bool:
        """True when the design picks top-k keys before exact attention."""
        return self.score_engine is not None

    @property
    def luts_used(self) -> int:
        luts = self.vector_unit.lanes * self.vector_unit.luts_per_lane + self.control_luts
        if self.score_engine is not None:
            luts += self.score_engine.units * self.score_engine.lanes * self.score_engine.luts_per_lane
        if self.topk_unit is not None:
            luts += self.topk_unit.units * self.topk_unit.k_max * self.topk_unit.luts_per_entry
        return luts
