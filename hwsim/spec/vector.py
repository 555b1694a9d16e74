"""A vector unit beside the main datapath: SIMD lanes that run softmax, norms and activations."""

from __future__ import annotations

from pydantic import Field

from hwsim.spec.base import StrictSpec


class VectorUnitSpec(StrictSpec):
    """``lanes`` lane operations per cycle (:mod:`hwsim.workload.vector_ops` counts them per element).

    One lane operation costs ``op_energy_pj`` whatever it is (add, multiply, compare or a
    lookup-table evaluation); data movement into and out of the unit is not priced here.
    """

    lanes: int = Field(gt=0, le=1 << 16, description="lane operations per cycle")
    op_energy_pj: float = Field(ge=0.0, description="one lane operation")
    source: str = Field(min_length=1)
