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
class MappingSplit:
    """A ratio split into what the hardware gives and what the mapping gives.

    ``same_mapping`` is ``ours`` run with the baseline's mapping.  The architectural ratios
    compare it with the baseline (same mapping, different hardware); the mapping ratios compare
    ``ours`` with it (same hardware, its own mapping).  Architectural x mapping = the total.
    """

    same_mapping: Report
    architectural: "Comparison"
    mapping: "Comparison"


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
    split: MappingSplit | None = None

    def with_split(self, same_mapping: Report) -> "Comparison":
        """This comparison with its split, given ``ours`` run on the baseline's mapping."""
        split = MappingSplit(same_mapping, compare(same_mapping, self.baseline), compare(self.ours, same_mapping))
        return Comparison(self.ours, self.baseline, self.speedup, self.energy_efficiency, self.power_ratio,
                          self.area_ratio, self.layers, split)

    def to_dict(self) -> dict[str, Any]:
        split = None
        if self.split is not None:
            s = self.split
            split = {
                "architectural": {"speedup": s.architectural.speedup,
                                  "energy_efficiency": s.architectural.energy_efficiency,
                                  "layers": [vars(r) for r in s.architectural.layers]},
                "mapping": {"speedup": s.mapping.speedup, "energy_efficiency": s.mapping.energy_efficiency,
                            "layers": [vars(r) for r in s.mapping.layers]},
                "same_mapping_report": s.same_mapping.to_dict(),
            }
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
            # the ratios split: the baseline's mapping on both designs, then ours on its own
            "split": split,
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
