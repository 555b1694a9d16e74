"""Spec of an in-memory-computing (IMC) accelerator for ternary/binary-weight networks.

Everything a design is (FAT, ParaPIM, a third one) is in here; the engine has no code path
named after a design.  Energies are per column (one sense amplifier) per micro-operation
unless the field name says otherwise; every number carries a ``source``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from hwsim.spec.base import StrictSpec
from hwsim.spec.enums import AdditionScheme, DataMapping, Family, MicroOp, Objective
from hwsim.spec.vector import VectorUnitSpec


SEARCH = "search"
"""``data_mapping: search``: the mapper chooses every layer's data mapping."""


class MicroOpSpec(StrictSpec):
    """One step of the per-bit addition sequence executed by every active column."""

    op: MicroOp
    latency_cycles: int = Field(ge=0, le=64)
    energy_pj: float = Field(ge=0.0, description="per column, per execution")
    rows_activated: int = Field(default=0, ge=0, le=8, description="memory rows read at once (sense only)")
    source: str = Field(min_length=1)


class CellSpec(StrictSpec):
    """The memory cell technology."""

    technology: str = Field(min_length=1, description="e.g. SOT-MRAM")
    area_um2: float = Field(gt=0.0)
    write_energy_pj: float = Field(ge=0.0, description="one cell written by a row write (operand load)")
    read_energy_pj: float = Field(ge=0.0, description="one cell read out by a row read (result unload)")
    source: str = Field(min_length=1)


class SubarraySpec(StrictSpec):
    rows: int = Field(gt=0, le=1 << 16)
    cols: int = Field(gt=0, le=1 << 16)
    cell: CellSpec
    row_write_cycles: int = Field(gt=0, le=64, description="cycles to write one row (operand load)")
    row_read_cycles: int = Field(gt=0, le=64, description="cycles to read one row (result unload)")
    peripheral_area_um2: float = Field(ge=0.0, description="row decoder, drivers, per subarray")
    peripheral_source: str = Field(min_length=1)


class SenseAmpSpec(StrictSpec):
    """The sense amplifier of one column and the addition scheme it implements."""

    addition_scheme: AdditionScheme
    micro_ops: tuple[MicroOpSpec, ...] = Field(min_length=1, description="executed in order, once per bit")
    area_um2: float = Field(gt=0.0)
    area_source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _scheme_matches_micro_ops(self) -> "SenseAmpSpec":
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
        return self

    @property
    def carry_rows(self) -> int:
        """Memory rows reserved per column for the carry: 1 when it is written back."""
        return 1 if self.addition_scheme is AdditionScheme.CARRY_WRITE_BACK else 0


class SkipUnitSpec(StrictSpec):
    """The controller that reads ternary weights and issues add/subtract operations."""

    zero_skip: bool = Field(description="skip additions whose weight is 0")
    weights_per_cycle: int = Field(gt=0, le=1024, description="weights it can scan per cycle")
    scan_energy_pj_per_weight: float = Field(ge=0.0)
    area_um2: float = Field(ge=0.0, description="one unit per subarray")
    source: str = Field(min_length=1)


class InterconnectSpec(StrictSpec):
    """Moves partial sums and activations between subarrays of a bank."""

    width_bits: int = Field(gt=0, le=1 << 16, description="bits per cycle per bank")
    energy_pj_per_bit: float = Field(ge=0.0)
    source: str = Field(min_length=1)


class WeightBufferSpec(StrictSpec):
    """SRAM that holds the ternary weights (2 bits each) the skip units read."""

    read_energy_pj_per_bit: float = Field(ge=0.0)
    source: str = Field(min_length=1)


class ImcSpec(StrictSpec):
    """An IMC accelerator: banks of subarrays that add in memory, bit-serially."""

    schema_: Literal["hwsim.arch/1"] = Field(alias="schema")
    name: str = Field(min_length=1)
    family: Literal[Family.IMC]
    description: str = ""
    clock_mhz: float = Field(gt=0.0, le=10000.0)
    banks: int = Field(gt=0, le=4096)
    subarrays_per_bank: int = Field(gt=0, le=4096)
    subarray: SubarraySpec
    sense_amp: SenseAmpSpec
    skip_unit: SkipUnitSpec
    interconnect: InterconnectSpec
    weight_buffer: WeightBufferSpec
    data_mapping: DataMapping | None = Field(
        default=None,
        description="'search' (the default): the mapper picks each layer's data mapping; a data mapping pins it "
                    "(the tiling is searched either way)")
    mapping_objective: Objective = Objective.EDP
    vector_unit: VectorUnitSpec | None = Field(
        default=None, description="digital periphery for vector layers; without one they are listed unpriced")

    @field_validator("family", mode="before")
    @classmethod
    def _family_from_str(cls, value: object) -> object:
        return Family(value) if isinstance(value, str) and value in {f.value for f in Family} else value

    @field_validator("data_mapping", mode="before")
    @classmethod
    def _search_or_pinned(cls, value: object) -> object:
        choices = [m.value for m in DataMapping]
        if value == SEARCH:
            return None
        if not isinstance(value, str) or value not in choices:
            listed = ", ".join(f"'{c}'" for c in [SEARCH, *choices])
            raise ValueError(f"expected one of {listed}")
        return value

    @property
    def subarrays(self) -> int:
        return self.banks * self.subarrays_per_bank

    @property
    def bit_step_cycles(self) -> int:
        """Cycles one bit position of an addition takes in one column."""
        return sum(m.latency_cycles for m in self.sense_amp.micro_ops)
