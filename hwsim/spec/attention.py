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

from enum import Enum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hwsim.spec.base import EnergyEntry, StrictSpec
from hwsim.spec.enums import Family


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


class FpgaSpec(StrictSpec):
    """The device's resource budget and idle power."""

    part: str = Field(min_length=1)
    dsp: int = Field(gt=0, le=1 << 20)
    lut: int = Field(gt=0, le=1 << 26)
    bram36: int = Field(gt=0, le=1 << 20, description="36 Kb block RAMs (UltraRAM counted as 8 each)")
    static_power_w: float = Field(ge=0.0, description="device + board power drawn whatever the work")
    source: str = Field(min_length=1)


class DspPoolSpec(StrictSpec):
    """The DSP multipliers shared out over the stages (projections, exact attention, FFN)."""

    dsp: int = Field(gt=0, le=1 << 20)
    macs_per_dsp: int = Field(ge=1, le=4, description="int8 MACs per DSP per cycle (2 with operand packing)")
    group_dsp: int = Field(default=32, ge=1, description="allocation granularity of the stage balancer")
    pipeline_latency_cycles: int = Field(default=16, ge=0, description="fill latency of a stage's array per job")
    source: str = Field(min_length=1)


class ScoreEngineSpec(StrictSpec):
    """Lookup-table score units: each one computes a D-long 4x4-bit dot product.

    A unit has ``lanes`` LUT multipliers and an adder tree, so a score takes ``ceil(D/lanes)``
    cycles (the ``lut_score_unit`` block); ``units`` work on different keys in parallel.
    """

    units: int = Field(gt=0, le=1 << 16)
    lanes: int = Field(gt=0, le=1024, description="4x4-bit LUT multipliers per unit")
    luts_per_lane: int = Field(gt=0, description="LUT6 per multiplier table and its share of the adder tree")
    source: str = Field(min_length=1)


class TopkUnitSpec(StrictSpec):
    """Streaming top-k units: one score per cycle per unit, one query at a time (``topk_unit``)."""

    units: int = Field(gt=0, le=1 << 16)
    k_max: int = Field(gt=0, le=4096, description="largest k the unit's register file holds")
    score_bits: int = Field(ge=4, le=32)
    luts_per_entry: int = Field(gt=0, description="comparator and shift-register LUTs per kept entry")
    source: str = Field(min_length=1)


class VectorUnitSpec(StrictSpec):
    """Element-wise unit for softmax (exp), layer norm, residual adds and GELU."""

    lanes: int = Field(gt=0, le=1 << 16)
    luts_per_lane: int = Field(gt=0)
    source: str = Field(min_length=1)


class MemorySpec(StrictSpec):
    dram_bandwidth_gb_s: float = Field(gt=0.0, description="sustained off-chip bandwidth, GB/s")
    activation_bytes_per_bram36: int = Field(default=4608, gt=0, description="bytes held per BRAM36 (36 Kb)")
    buffered_copies: int = Field(default=4, ge=1, description="activation buffers per sequence in flight")
    source: str = Field(min_length=1)


class SchedulingSpec(StrictSpec):
    mode: Scheduling
    pad_to: PadTo = PadTo.BATCH_MAX
    batch_sequences: int = Field(gt=0, le=1 << 16, description="sequences per batch; weights are read once per batch")
    stage_balancing: StageBalancing = StageBalancing.CRITICAL_PATH


class EnergySpec(StrictSpec):
    """Dynamic energy per action (pJ); static power is in ``fpga``."""

    dsp_mac: EnergyEntry
    lut_mac: EnergyEntry = Field(description="one 4x4-bit LUT product and its addition")
    topk_compare: EnergyEntry = Field(description="one score compared and inserted")
    vector_op: EnergyEntry
    bram_byte: EnergyEntry = Field(description="one byte read or written on chip")
    dram_byte: EnergyEntry


class AttentionSpec(StrictSpec):
    """A Transformer accelerator on one FPGA; see the module docstring."""

    schema_: Literal["hwsim.arch/1"] = Field(alias="schema")
    name: str = Field(min_length=1)
    family: Literal[Family.ATTENTION]
    description: str = ""
    clock_mhz: float = Field(gt=0.0, le=2000.0)
    fpga: FpgaSpec
    dsp_pool: DspPoolSpec
    score_engine: ScoreEngineSpec | None = None
    topk_unit: TopkUnitSpec | None = None
    vector_unit: VectorUnitSpec
    control_luts: int = Field(default=0, ge=0, description="controllers, interconnect, DMA")
    memory: MemorySpec
    scheduling: SchedulingSpec
    energy: EnergySpec

    @field_validator("family", mode="before")
    @classmethod
    def _family_from_str(cls, value: object) -> object:
        return Family(value) if isinstance(value, str) and value in {f.value for f in Family} else value

    @model_validator(mode="after")
    def _fits_and_consistent(self) -> "AttentionSpec":
        if (self.score_engine is None) != (self.topk_unit is None):
            raise ValueError("'score_engine' and 'topk_unit' go together: give both (top-k) or neither (dense)")
        if self.dsp_pool.dsp > self.fpga.dsp:
            raise ValueError(f"dsp_pool.dsp = {self.dsp_pool.dsp} exceeds the {self.fpga.dsp} DSPs of {self.fpga.part}")
        if self.luts_used > self.fpga.lut:
            raise ValueError(f"the engines need {self.luts_used} LUTs, {self.fpga.part} has {self.fpga.lut}")
        return self

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
