"""Spec of a systolic-array accelerator (family ``systolic``), SCALE-Sim's machine model.

A ``rows x cols`` grid of multiply-accumulate processing elements (PEs) fed from three SRAMs
(ifmap, filter, ofmap), each optionally double buffered, backed by DRAM with a bandwidth in
words per cycle per buffer, or ``calc``: sized so that nothing ever stalls (SCALE-Sim's
``InterfaceBandwidth: CALC``).  Energies are per action (one MAC, one word read or written);
areas per PE and per SRAM bit; every number carries a ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Literal


from hwsim.spec.base import EnergyEntry, FieldValueError, StrictSpec, check_family
from hwsim.spec.enums import Dataflow, Family
from hwsim.spec.vector import VectorUnitSpec

if TYPE_CHECKING:  # the annotations' constraints, resolved when a spec is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, MinLen, doc

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


@dataclass(frozen=True, kw_only=True)
class ArraySpec(StrictSpec):
    """The PE grid: ``rows`` carry the first spatial dimension of the dataflow, ``cols`` the second."""

    rows: Annotated[int, Gt(0), Le(1 << 14)]
    cols: Annotated[int, Gt(0), Le(1 << 14)]
    bypass_unused: Annotated[bool, doc("folds may use part of the array: rows and columns beyond it are bypassed, so operands and "
                    "results cross only the part used (SCALE-Sim's array has no bypass: every fold crosses all of it)")] = False


@dataclass(frozen=True, kw_only=True)
class SramSpec(StrictSpec):
    """On-chip buffers, sizes in KB (1 KB = 1024 bytes)."""

    ifmap_kb: Annotated[int, Gt(0), Le(1 << 20)]
    filter_kb: Annotated[int, Gt(0), Le(1 << 20)]
    ofmap_kb: Annotated[int, Gt(0), Le(1 << 20)]
    double_buffered: Annotated[bool, doc("half of each buffer is filled from DRAM while the other half serves the array")]

    @property
    def halves(self) -> int:
        """Parts each buffer is split into: one serves the array while the other refills."""
        return 2 if self.double_buffered else 1


@dataclass(frozen=True, kw_only=True)
class DramSpec(StrictSpec):
    """Off-chip interface of each buffer, in words per cycle, or ``calc`` (never stalls)."""

    ifmap_words_per_cycle: Annotated[int | Literal["calc"], doc("DRAM -> ifmap SRAM")]
    filter_words_per_cycle: Annotated[int | Literal["calc"], doc("DRAM -> filter SRAM")]
    ofmap_words_per_cycle: Annotated[int | Literal["calc"], doc("ofmap SRAM -> DRAM")]

    def __post_init__(self) -> None:
        for name, value in self.by_stream().items():
            if isinstance(value, int) and value <= 0:
                raise FieldValueError(f"{name}_words_per_cycle", "expected a positive number of words per cycle or 'calc'")

    def by_stream(self) -> dict[str, int | str]:
        """Words per cycle of each stream, keyed ``ifmap``, ``filter``, ``ofmap``."""
        return {"ifmap": self.ifmap_words_per_cycle, "filter": self.filter_words_per_cycle,
                "ofmap": self.ofmap_words_per_cycle}

    @property
    def is_calc(self) -> bool:
        """True when every buffer's bandwidth is ``calc`` (stall-free)."""
        return CALC in (self.ifmap_words_per_cycle, self.filter_words_per_cycle, self.ofmap_words_per_cycle)


@dataclass(frozen=True, kw_only=True)
class SystolicEnergySpec(StrictSpec):
    """pJ per action; one word is ``word_bytes`` bytes."""

    mac: Annotated[EnergyEntry, doc("one multiply-accumulate in a PE")]
    ifmap_sram_read: Annotated[EnergyEntry, doc("one word")]
    filter_sram_read: Annotated[EnergyEntry, doc("one word")]
    ofmap_sram_write: Annotated[EnergyEntry, doc("one word")]
    ofmap_sram_read: Annotated[EnergyEntry, doc("one partial sum read back to accumulate the next fold's")]
    dram_read: Annotated[EnergyEntry, doc("one word")]
    dram_write: Annotated[EnergyEntry, doc("one word")]


@dataclass(frozen=True, kw_only=True)
class AreaNumber(StrictSpec):
    value_um2: Annotated[float, Ge(0.0)]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class SystolicAreaSpec(StrictSpec):
    pe: Annotated[AreaNumber, doc("one PE (multiplier, accumulator adder)")]
    sram_per_bit: Annotated[AreaNumber, doc("one SRAM bit including its share of the periphery")]


@dataclass(frozen=True, kw_only=True)
class SystolicSpec(StrictSpec):
    """A systolic array with its SRAMs, DRAM interface, energy and area tables."""

    schema_: Literal["hwsim.arch/1"]
    name: Annotated[str, MinLen(1)]
    family: Family
    description: str = ""
    clock_mhz: Annotated[float, Gt(0.0), Le(10000.0)]
    array: ArraySpec
    dataflow: Dataflow
    word_bytes: Annotated[int, Ge(1), Le(8), doc("bytes per operand word (SCALE-Sim: 1)")]
    sram: SramSpec
    dram: DramSpec
    buffer_model: BufferModel = BufferModel.ANALYTIC
    energy: SystolicEnergySpec
    area: SystolicAreaSpec
    vector_unit: Annotated[VectorUnitSpec, doc("runs pooling, residual adds and vector layers; without one they are listed unpriced")] | None = None

    def __post_init__(self) -> None:
        check_family(self, Family.SYSTOLIC)

        if self.buffer_model is BufferModel.SCALESIM and not self.sram.double_buffered:
            raise FieldValueError("buffer_model", "SCALE-Sim's buffer policy keeps half of each buffer active: it needs "
                                  "sram.double_buffered: true")
        if self.buffer_model is BufferModel.SCALESIM and self.array.bypass_unused:
            raise FieldValueError("buffer_model", "SCALE-Sim's buffer replay streams through the whole array: it needs "
                                  "array.bypass_unused: false")

    @property
    def pes(self) -> int:
        return self.array.rows * self.array.cols

    def sram_words(self, size_kb: int) -> int:
        """Words held by an SRAM of ``size_kb`` KB."""
        return size_kb * 1024 // self.word_bytes
