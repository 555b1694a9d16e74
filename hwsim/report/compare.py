"""Side-by-side comparison of two reports of the same model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hwsim.errors import HwsimError
from hwsim.report.model import Report


@dataclass(frozen=True)
class LayerRatio:
    name: str
    speedup: float
    energy_efficiency: float


@dataclass(frozen=True)
class Comparison:
    """``ours`` against ``baseline``: values above 1 mean ``ours`` is better."""

    ours: Report
    baseline: Report
    speedup: float
    energy_efficiency: float
    power_ratio: float
    # None when either design has no silicon-area model (FPGA designs report resources instead)
    area_ratio: float | None
    layers: tuple[LayerRatio, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "hwsim.compare/1",
            "model": self.ours.model,
            "ours": self.ours.arch,
            "baseline": self.baseline.arch,
            "total": {
                "speedup": self.speedup,
                "energy_efficiency": self.energy_efficiency,
                "power_ratio": self.power_ratio,
                "area_ratio": self.area_ratio,
            },
            "layers": [vars(r) for r in self.layers],
            "reports": {self.ours.arch: self.ours.to_dict(), self.baseline.arch: self.baseline.to_dict()},
        }


def compare(ours: Report, baseline: Report) -> Comparison:
    """Ratios of ``baseline`` cost over ``ours`` cost, per layer and in total."""
    if [layer.name for layer in ours.layers] != [layer.name for layer in baseline.layers]:
        raise HwsimError(f"cannot compare reports of different networks ('{ours.model}' vs '{baseline.model}')")
    layers = tuple(
        LayerRatio(a.name, _ratio(b.latency_s, a.latency_s), _ratio(b.energy_pj, a.energy_pj))
        for a, b in zip(ours.layers, baseline.layers)
    )
    t, u = ours.total, baseline.total
    return Comparison(
        ours=ours,
        baseline=baseline,
        speedup=_ratio(u.latency_s, t.latency_s),
        energy_efficiency=_ratio(u.energy_pj, t.energy_pj),
        power_ratio=_ratio(u.power_w, t.power_w),
        area_ratio=_ratio(u.area_mm2, t.area_mm2) if t.area_mm2 > 0 and u.area_mm2 > 0 else None,
        layers=layers,
    )


def _ratio(num: float, den: float) -> float:
    return num / den if den else float("inf")
