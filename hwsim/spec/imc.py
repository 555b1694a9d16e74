"""Spec of an in-memory-computing (IMC) accelerator for ternary/binary-weight networks.

Everything a design is (FAT, ParaPIM, a third one) is in here; the engine has no code path
named after a design.  Energies are per column (one sense amplifier) per micro-operation
unless the field name says otherwise; every number carries a ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal


from hwsim.spec.base import FieldValueError, StrictSpec, check_family
from hwsim.spec.enums import AdditionScheme, DataMapping, Family, MicroOp, Objective
from hwsim.spec.vector import VectorUnitSpec

if TYPE_CHECKING:  # the annotations' constraints, resolved when a spec is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, MinLen, doc


SEARCH = "search"
"""``data_mapping: search``: the mapper chooses every layer's data mapping."""


@dataclass(frozen=True, kw_only=True)
class MicroOpSpec(StrictSpec):
    """One step of the per-bit addition sequence executed by every active column."""

    op: MicroOp
    latency_cycles: Annotated[int, Ge(0), Le(64)]
    energy_pj: Annotated[float, Ge(0.0), doc("per column, per execution")]
    rows_activated: Annotated[int, Ge(0), Le(8), doc("memory rows read at once (sense only)")] = 0
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class CellSpec(StrictSpec):
    """The memory cell technology."""

    technology: Annotated[str, MinLen(1), doc("e.g. SOT-MRAM")]
    area_um2: Annotated[float, Gt(0.0)]
    write_energy_pj: Annotated[float, Ge(0.0), doc("one cell written by a row write (operand load)")]
    read_energy_pj: Annotated[float, Ge(0.0), doc("one cell read out by a row read (result unload)")]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class SubarraySpec(StrictSpec):
    rows: Annotated[int, Gt(0), Le(1 << 16)]
    cols: Annotated[int, Gt(0), Le(1 << 16)]
    cell: CellSpec
    row_write_cycles: Annotated[int, Gt(0), Le(64), doc("cycles to write one row (operand load)")]
    row_read_cycles: Annotated[int, Gt(0), Le(64), doc("cycles to read one row (result unload)")]
    peripheral_area_um2: Annotated[float, Ge(0.0), doc("row decoder, drivers, per subarray")]
    peripheral_source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class SenseAmpSpec(StrictSpec):
    """The sense amplifier of one column and the addition scheme it implements."""

    addition_scheme: AdditionScheme
    micro_ops: Annotated[tuple[MicroOpSpec, ...], MinLen(1), doc("executed in order, once per bit")]
    area_um2: Annotated[float, Gt(0.0)]
    area_source: Annotated[str, MinLen(1)]

    def __post_init__(self) -> None:
        ops = [m.op for m in self.micro_ops]
        if MicroOp.SENSE not in ops or MicroOp.WRITE_SUM not in ops:
            raise ValueError("micro_ops must contain at least one 'sense' and one 'write_sum'")
        if self.addition_scheme is AdditionScheme.SA_LATCHED_CARRY:
            if MicroOp.WRITE_CARRY in ops or MicroOp.LATCH_CARRY not in ops:
                raise ValueError("sa_latched_carry needs a 'latch_carry' micro-op and no 'write_carry'")
        else:
            if MicroOp.WRITE_CARRY not in ops or MicroOp.LATCH_CARRY in ops:
                raise ValueError("carry_write_back needs a 'write_carry' micro-op and no 'latch_carry'")
        if sum(m.latency_cycles for m in self.micro_ops) == 0:
            raise ValueError("the micro-ops of one bit must take at least one cycle")

    @property
    def carry_rows(self) -> int:
        """Memory rows reserved per column for the carry: 1 when it is written back."""
        return 1 if self.addition_scheme is AdditionScheme.CARRY_WRITE_BACK else 0


@dataclass(frozen=True, kw_only=True)
class SkipUnitSpec(StrictSpec):
    """The controller that reads ternary weights and issues add/subtract operations."""

    zero_skip: Annotated[bool, doc("skip additions whose weight is 0")]
    weights_per_cycle: Annotated[int, Gt(0), Le(1024), doc("weights it can scan per cycle")]
    scan_energy_pj_per_weight: Annotated[float, Ge(0.0)]
    area_um2: Annotated[float, Ge(0.0), doc("one unit per subarray")]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class InterconnectSpec(StrictSpec):
    """Moves partial sums and activations between subarrays of a bank."""

    width_bits: Annotated[int, Gt(0), Le(1 << 16), doc("bits per cycle per bank")]
    energy_pj_per_bit: Annotated[float, Ge(0.0)]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class WeightBufferSpec(StrictSpec):
    """SRAM that holds the ternary weights (2 bits each) the skip units read."""

    read_energy_pj_per_bit: Annotated[float, Ge(0.0)]
    source: Annotated[str, MinLen(1)]


@dataclass(frozen=True, kw_only=True)
class ImcSpec(StrictSpec):
    """An IMC accelerator: banks of subarrays that add in memory, bit-serially."""

    schema_: Literal["hwsim.arch/1"]
    name: Annotated[str, MinLen(1)]
    family: Family
    description: str = ""
    clock_mhz: Annotated[float, Gt(0.0), Le(10000.0)]
    banks: Annotated[int, Gt(0), Le(4096)]
    subarrays_per_bank: Annotated[int, Gt(0), Le(4096)]
    subarray: SubarraySpec
    sense_amp: SenseAmpSpec
    skip_unit: SkipUnitSpec
    interconnect: InterconnectSpec
    weight_buffer: WeightBufferSpec
    data_mapping: Annotated[str, doc("'search' (the default): the mapper picks each layer's data mapping; a data mapping pins it "
                    "(the tiling is searched either way)")] | None = None
    mapping_objective: Objective = Objective.EDP
    vector_unit: Annotated[VectorUnitSpec, doc("digital periphery for vector layers; without one they are listed unpriced")] | None = None

    def __post_init__(self) -> None:
        check_family(self, Family.IMC)
        # data_mapping reads 'search' or a data mapping's name, and holds None or the DataMapping
        value = self.data_mapping
        choices = [m.value for m in DataMapping]
        if value is not None and value != SEARCH and value not in choices:
            listed = ", ".join(f"'{c}'" for c in [SEARCH, *choices])
            raise FieldValueError("data_mapping", f"expected one of {listed}")
        object.__setattr__(self, "data_mapping", None if value in (None, SEARCH) else DataMapping(value))

    @property
    def subarrays(self) -> int:
        return self.banks * self.subarrays_per_bank

    @property
    def bit_step_cycles(self) -> int:
        """Cycles one bit position of an addition takes in one column."""
        return sum(m.latency_cycles for m in self.sense_amp.micro_ops)
