"""Spec of a systolic-array accelerator (family ``systolic``), SCALE-Sim's machine model.

A ``rows x cols`` grid of multiply-accumulate processing elements (PEs) fed from three SRAMs
(ifmap, filter, ofmap), each optionally double buffered, backed by DRAM with a bandwidth in
words per cycle per buffer, or ``calc``: sized so that nothing ever stalls (SCALE-Sim's
``InterfaceBandwidth: CALC``).  Energies are per action (one MAC, one word read or written);
areas per PE and per SRAM bit; every number carries a ``source``.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from hwsim.spec.base import EnergyEntry, StrictSpec
from hwsim.spec.enums import Dataflow, Family
from hwsim.spec.vector import VectorUnitSpec

CALC = "calc"


class BufferModel(str, Enum):
    """How SRAM refills and stalls are modelled (hwsim/sim/systolic/memory.py).

    ``analytic``: hwsim's own capacity/bandwidth model, closed form per layer.
    ``scalesim``: SCALE-Sim v3's buffer policy replayed cycle by cycle (numba), so that stall
    cycles equal SCALE-Sim's in its USER bandwidth mode; what a ``.cfg`` file selects.
    ``fold``: the fold buffers of hwsim's RTL array (``hwsim rtl generate systolic_array``),
    refilled fold by fold (hwsim/sim/systolic/fold_buffers.py): cycles equal the RTL's.
    """

    ANALYTIC = "analytic"
    SCALESIM = "scalesim"
    FOLD = "fold"


class ArraySpec(StrictSpec):
    """The PE grid: ``rows`` carry the first spatial dimension of the dataflow, ``cols`` the second."""

    rows: int = Field(gt=0, le=1 << 14)
    cols: int = Field(gt=0, le=1 << 14)
    bypass_unused: bool = Field(
        default=False,
        description="folds may use part of the array: rows and columns beyond it are bypassed, so operands and "
                    "results cross only the part used (SCALE-Sim's array has no bypass: every fold crosses all of it)")


class SramSpec(StrictSpec):
    """On-chip buffers, sizes in KB (1 KB = 1024 bytes)."""

    ifmap_kb: int = Field(gt=0, le=1 << 20)
    filter_kb: int = Field(gt=0, le=1 << 20)
    ofmap_kb: int = Field(gt=0, le=1 << 20)
    double_buffered: bool = Field(description="half of each buffer is filled from DRAM while the other half serves the array")

    @property
    def halves(self) -> int:
        """Parts each buffer is split into: one serves the array while the other refills."""
        return 2 if self.double_buffered else 1


class DramSpec(StrictSpec):
    """Off-chip interface of each buffer, in words per cycle, or ``calc`` (never stalls)."""

    ifmap_words_per_cycle: int | Literal["calc"] = Field(description="DRAM -> ifmap SRAM")
    filter_words_per_cycle: int | Literal["calc"] = Field(description="DRAM -> filter SRAM")
    ofmap_words_per_cycle: int | Literal["calc"] = Field(description="ofmap SRAM -> DRAM")

    @field_validator("ifmap_words_per_cycle", "filter_words_per_cycle", "ofmap_words_per_cycle")
    @classmethod
    def _positive(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value <= 0:
            raise ValueError("expected a positive number of words per cycle or 'calc'")
        return value

    def by_stream(self) -> dict[str, int | str]:
        """Words per cycle of each stream, keyed ``ifmap``, ``filter``, ``ofmap``."""
        return {"ifmap": self.ifmap_words_per_cycle, "filter": self.filter_words_per_cycle,
                "ofmap": self.ofmap_words_per_cycle}

    @property
    def is_calc(self) -> bool:
        """True when every buffer's bandwidth is ``calc`` (stall-free)."""
        return CALC in (self.ifmap_words_per_cycle, self.filter_words_per_cycle, self.ofmap_words_per_cycle)


class SystolicEnergySpec(StrictSpec):
    """pJ per action; one word is ``word_bytes`` bytes."""

    mac: EnergyEntry = Field(description="one multiply-accumulate in a PE")
    ifmap_sram_read: EnergyEntry = Field(description="one word")
    filter_sram_read: EnergyEntry = Field(description="one word")
    ofmap_sram_write: EnergyEntry = Field(description="one word")
    ofmap_sram_read: EnergyEntry = Field(description="one partial sum read back to accumulate the next fold's")
    dram_read: EnergyEntry = Field(description="one word")
    dram_write: EnergyEntry = Field(description="one word")


class AreaNumber(StrictSpec):
    value_um2: float = Field(ge=0.0)
    source: str = Field(min_length=1)


class SystolicAreaSpec(StrictSpec):
    pe: AreaNumber = Field(description="one PE (multiplier, accumulator adder)")
    sram_per_bit: AreaNumber = Field(description="one SRAM bit including its share of the periphery")


class SystolicSpec(StrictSpec):
    """A systolic array with its SRAMs, DRAM interface, energy and area tables."""

    schema_: Literal["hwsim.arch/1"] = Field(alias="schema")
    name: str = Field(min_length=1)
    family: Literal[Family.SYSTOLIC]
    description: str = ""
    clock_mhz: float = Field(gt=0.0, le=10000.0)
    array: ArraySpec
    dataflow: Dataflow
    word_bytes: int = Field(ge=1, le=8, description="bytes per operand word (SCALE-Sim: 1)")
    sram: SramSpec
    dram: DramSpec
    buffer_model: BufferModel = BufferModel.ANALYTIC
    energy: SystolicEnergySpec
    area: SystolicAreaSpec
    vector_unit: VectorUnitSpec | None = Field(
        default=None, description="runs pooling, residual adds and vector layers; without one they are listed unpriced")

    @field_validator("family", mode="before")
    @classmethod
    def _family_from_str(cls, value: object) -> object:
        return Family(value) if isinstance(value, str) and value in {f.value for f in Family} else value

    @field_validator("buffer_model")
    @classmethod
    def _scalesim_buffers_are_double(cls, value: BufferModel, info: ValidationInfo) -> BufferModel:
        sram = info.data.get("sram")
        if value is BufferModel.SCALESIM and sram is not None and not sram.double_buffered:
            raise ValueError("SCALE-Sim's buffer policy keeps half of each buffer active: it needs sram.double_buffered: true")
        array = info.data.get("array")
        if value is BufferModel.SCALESIM and array is not None and array.bypass_unused:
            raise ValueError("SCALE-Sim's buffer replay streams through the whole array: it needs array.bypass_unused: false")
        return value

    @property
    def pes(self) -> int:
        return self.array.rows * self.array.cols

    def sram_words(self, size_kb: int) -> int:
        """Words held by an SRAM of ``size_kb`` KB."""
        return size_kb * 1024 // self.word_bytes
