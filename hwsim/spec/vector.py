"""A vector unit beside the main datapath: SIMD lanes that run softmax, norms and activations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated


from hwsim.spec.base import StrictSpec

if TYPE_CHECKING:  # the annotations' constraints, resolved when a spec is validated (hwsim.spec.loading)
    from annotated_types import Ge, Gt, Le, MinLen, doc


@dataclass(frozen=True, kw_only=True)
class VectorUnitSpec(StrictSpec):
    """``lanes`` lane operations per cycle (:mod:`hwsim.workload.vector_ops` counts them per element).

    One lane operation costs ``op_energy_pj`` whatever it is (add, multiply, compare or a
    lookup-table evaluation); data movement into and out of the unit is not priced here.
    """

    lanes: Annotated[int, Gt(0), Le(1 << 16), doc("lane operations per cycle")]
    op_energy_pj: Annotated[float, Ge(0.0), doc("one lane operation")]
    source: Annotated[str, MinLen(1)]
