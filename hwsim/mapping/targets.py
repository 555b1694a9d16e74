"""The loop-nest target of an accelerator spec, found by family.

Each family that has a dense datapath the loop-nest mapper can describe (a PE array under a
memory hierarchy) has a builder ``(spec, layer) -> MappingTarget`` in its own module.  The
target may depend on the layer: word widths follow the layer's activation bits, and a
bit-serial datapath's cycles per MAC follow the width of its sums.
"""

from __future__ import annotations

from typing import Any

from hwsim.errors import MappingError
from hwsim.mapping.loopnest.target import MappingTarget
from hwsim.plugins import load_object
from hwsim.spec.enums import Family
from hwsim.workload.layers import Layer

TARGET_BY_FAMILY: dict[Family, str] = {
    Family.IMC: "hwsim.mapping.target_imc:imc_target",
    Family.ATTENTION: "hwsim.mapping.target_fpga:fpga_target",
    Family.SYSTOLIC: "hwsim.mapping.target_systolic:systolic_target",
}


def target_for(arch: Any, layer: Layer) -> MappingTarget:
    """The mapping target ``layer`` runs on in ``arch``.

    Raises
    ------
    MappingError
        When the arch's family has no loop-nest target (SNN, roofline devices).
    """
    family = Family(arch.family)
    reference = TARGET_BY_FAMILY.get(family)
    builder = load_object(reference) if reference else None
    if builder is None:
        mappable = ", ".join(f.value for f in TARGET_BY_FAMILY)
        raise MappingError(
            f"arch '{arch.name}': family '{family.value}' has no loop-nest mapping target (mappable: {mappable})"
        )
    return builder(arch, layer)


def word_bytes(bits: int) -> float:
    """Bytes of one word of ``bits`` bits (words are not padded to bytes)."""
    return bits / 8.0
