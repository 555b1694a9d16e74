"""Prices of a vector unit's lane operations (any family that has one)."""

from __future__ import annotations

from hwsim.sim.vector import VECTOR_OP_ACTION
from hwsim.spec.vector import VectorUnitSpec


def vector_energy_table_pj(unit: VectorUnitSpec | None) -> dict[str, float]:
    """pJ per lane operation, or no entry when the arch has no vector unit (nothing is counted then)."""
    return {} if unit is None else {VECTOR_OP_ACTION: unit.op_energy_pj}
