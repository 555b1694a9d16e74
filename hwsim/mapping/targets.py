"""The loop-nest target of an accelerator spec, found by family.

Each family that has a dense datapath the loop-nest mapper can describe (a PE array under a
memory hierarchy) has a builder ``(spec, layer) -> MappingTarget`` in its own module, listed
in ``TARGET_BY_FAMILY``.  The target may depend on the layer: word widths follow the layer's
operand widths, and a bit-serial datapath's cycles per MAC follow the width of its sums.
"""

from __future__ import annotations

from typing import Any, Callable

from hwsim.errors import MappingError
from hwsim.mapping.loopnest.target import MappingTarget
from hwsim.mapping.target_fpga import fpga_target
from hwsim.mapping.target_imc import imc_target
from hwsim.mapping.target_systolic import systolic_target
from hwsim.spec.enums import Family
from hwsim.workload.layers import Layer

TARGET_BY_FAMILY: dict[Family, Callable[[Any, Layer], MappingTarget]] = {
    Family.IMC: imc_target,
    Family.ATTENTION: fpga_target,
    Family.SYSTOLIC: systolic_target,
}


def target_for(arch: Any, layer: Layer) -> MappingTarget:
    """The mapping target ``layer`` runs on in ``arch``.

    Raises
    ------
    MappingError
        When the arch's family has no loop-nest target (SNN, roofline devices).
    """
    family = Family(arch.family)
    builder = TARGET_BY_FAMILY.get(family)
    if builder is None:
        mappable = ", ".join(f.value for f in TARGET_BY_FAMILY)
        raise MappingError(
            f"arch '{arch.name}': family '{family.value}' has no loop-nest mapping target (mappable: {mappable})"
        )
    return builder(arch, layer)
