"""The clock an FPGA arch spec assumes beside the one its placed design achieved.

``hwsim rtl pnr ... --implements ARCH`` records a P&R result for arch spec ``ARCH``; this
module reads it back (no Amaranth or synthesis tool is imported) for ``hwsim simulate``'s
note and JSON, and resolves ``--set clock_mhz=achieved``.
"""

from __future__ import annotations

from typing import Any

from hwsim.errors import HwsimError
from hwsim.spec.enums import Family

# the families whose specs describe an FPGA design (their clock_mhz is an FPGA clock)
FPGA_FAMILIES = frozenset({Family.SNN, Family.ATTENTION})
ACHIEVED = "achieved"


def placed_clock(arch_name: str, assumed_mhz: float) -> dict[str, Any] | None:
    """Assumed vs achieved clock of arch spec ``arch_name``, or None when no placed design is recorded."""
    from hwsim.rtlflow.pnr_cache import implementation

    found = implementation(arch_name)
    if found is None or found[0].fmax_mhz is None:
        return None
    result, command = found
    return {"assumed_mhz": assumed_mhz, "achieved_mhz": result.fmax_mhz,
            "ratio": round(result.fmax_mhz / assumed_mhz, 4), "part": result.part, "block": result.block,
            "design_key": result.design_key, "placed": result.placed, "command": command}


def resource_error(estimate: dict[str, Any], check: dict[str, Any]) -> dict[str, float]:
    """(report's estimate - placed) / placed for LUT and FF of the recorded placed design."""
    from hwsim.rtlflow.pnr_report import relative_errors

    placed = check["placed"]
    return relative_errors({k: (estimate[k], placed.get(k, 0)) for k in ("lut", "ff") if k in estimate})


def achieved_mhz(arch_name: str) -> float:
    """The recorded Fmax for ``--set clock_mhz=achieved``; a one-line error when there is none."""
    from hwsim.rtlflow.pnr_cache import implementation

    found = implementation(arch_name)
    if found is None or found[0].fmax_mhz is None:
        raise HwsimError(f"--set clock_mhz=achieved: no placed design is recorded for arch '{arch_name}'; "
                         f"run `hwsim rtl pnr BLOCK --device PART --implements {arch_name}` first")
    return float(found[0].fmax_mhz)


def note(check: dict[str, Any]) -> str:
    """One line for the report's notes."""
    verdict = "meets" if check["achieved_mhz"] >= check["assumed_mhz"] else "misses"
    return (f"clock: the spec assumes {check['assumed_mhz']:g} MHz; {check['block']} placed on {check['part']} "
            f"(design {check['design_key']}) reaches {check['achieved_mhz']:.1f} MHz ({check['ratio']:.2f}x, "
            f"{verdict} it); latency at the achieved clock: --set clock_mhz=achieved")
