"""FPGA-resource estimate (xc7) of ``systolic_array``, counted from the structure it builds.

Placeholder until calibrated against Yosys (see docs/rtl.md, "Systolic array").
"""

from __future__ import annotations

from typing import Any, Mapping

from hwsim.cost.fpga_resources import FpgaResources


def systolic_array_resources(spec: Any, params: Mapping[str, Any]) -> FpgaResources:
    """Estimate of ``rtl.systolic_array.SystolicArray`` for ``spec`` and ``params``."""
    from hwsim.func.systolic_array import array_config

    c = array_config(spec, params)
    pes = c.rows * c.cols
    return FpgaResources(lut=pes * 40, ff=pes * (c.acc_bits + c.act_bits + c.weight_bits))
