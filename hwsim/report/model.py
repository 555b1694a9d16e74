"""User-facing results and their JSON form (schema ``hwsim.report/1``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

SCHEMA = "hwsim.report/1"


@dataclass(frozen=True)
class LayerReport:
    name: str
    kind: str
    cycles: int
    compute_cycles: int
    stall_cycles: int
    latency_s: float
    energy_pj: float
    energy_breakdown_pj: Mapping[str, float]
    utilization: float
    macs: int
    nonzero_weight_fraction: float | None
    mapping: str
    extra: Mapping[str, float] = field(default_factory=dict)
    # How often each "component.action" happened (the energy breakdown's keys, before pricing).
    action_counts: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "cycles": self.cycles,
            "compute_cycles": self.compute_cycles,
            "stall_cycles": self.stall_cycles,
            "latency_s": self.latency_s,
            "energy_pj": self.energy_pj,
            "energy_breakdown_pj": dict(self.energy_breakdown_pj),
            "action_counts": dict(self.action_counts),
            "utilization": self.utilization,
            "macs": self.macs,
            "nonzero_weight_fraction": self.nonzero_weight_fraction,
            "mapping": self.mapping,
            **{k: v for k, v in self.extra.items()},
        }


def not_priced_row(name: str, kind: str, reason: str, *, macs: int = 0) -> LayerReport:
    """A layer an accelerator does not run: listed at zero cycles and energy with the reason."""
    return LayerReport(name=name, kind=kind, cycles=0, compute_cycles=0, stall_cycles=0, latency_s=0.0, energy_pj=0.0,
                       energy_breakdown_pj={}, utilization=0.0, macs=macs, nonzero_weight_fraction=None,
                       mapping=f"not priced: {reason}", extra={"not_priced": reason})


@dataclass(frozen=True)
class OtherPart:
    """What a total holds beyond the sum of its layer rows, and why.

    ``total = sum(layers) + other`` for cycles, latency, energy (and each breakdown key) and
    action counts.  Static power over the whole run and host I/O are energy and time no layer
    owns; stages of a pipeline overlap, so there ``cycles`` and ``latency_s`` are negative.
    """

    reason: str
    cycles: int = 0
    latency_s: float = 0.0
    energy_pj: float = 0.0
    energy_breakdown_pj: Mapping[str, float] = field(default_factory=dict)
    action_counts: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "cycles": self.cycles, "latency_s": self.latency_s, "energy_pj": self.energy_pj,
                "energy_breakdown_pj": dict(self.energy_breakdown_pj), "action_counts": dict(self.action_counts)}


def summed(parts: Any, attribute: str) -> dict[str, float]:
    """The per-key sum of a mapping attribute (``energy_breakdown_pj``, ``action_counts``) over ``parts``."""
    out: dict[str, float] = {}
    for part in parts:
        for key, value in getattr(part, attribute).items():
            out[key] = out.get(key, 0) + value
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Totals:
    cycles: int
    latency_s: float
    energy_pj: float
    energy_breakdown_pj: Mapping[str, float]
    area_mm2: float
    area_breakdown_mm2: Mapping[str, float]
    power_w: float
    macs: int
    # Family-specific totals (an SNN's accuracy and samples, latency per inference, ...).
    extra: Mapping[str, Any] = field(default_factory=dict)
    action_counts: Mapping[str, float] = field(default_factory=dict)
    # What the totals hold beyond the sum of the layer rows (None: nothing).
    other: OtherPart | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "cycles": self.cycles,
            "latency_s": self.latency_s,
            "energy_pj": self.energy_pj,
            "energy_breakdown_pj": dict(self.energy_breakdown_pj),
            "action_counts": dict(self.action_counts),
            "other": None if self.other is None else self.other.to_dict(),
            "area_mm2": self.area_mm2,
            "area_breakdown_mm2": dict(self.area_breakdown_mm2),
            "power_w": self.power_w,
            "macs": self.macs,
            **dict(self.extra),
        }


@dataclass(frozen=True)
class Report:
    model: str
    arch: str
    family: str
    clock_mhz: float
    total: Totals
    layers: tuple[LayerReport, ...]
    workload: Mapping[str, Any] = field(default_factory=dict)
    hwsim_version: str = ""

    def to_dataframe(self):
        """One row per layer (pandas, the ``notebook`` extra): the JSON fields, the energy breakdown
        as ``energy_pj.<component.action>`` columns."""
        from hwsim.extras import require

        require("pandas", "Report.to_dataframe")
        import pandas as pd

        rows = []
        for layer in self.layers:
            row = layer.to_dict()
            for key, value in row.pop("energy_breakdown_pj").items():
                row[f"energy_pj.{key}"] = value
            rows.append(row)
        return pd.DataFrame(rows).set_index("name")

    def _repr_html_(self) -> str:
        """A notebook's view: the totals, then every layer's cycles, latency, energy and MACs (SI units)."""
        from html import escape

        from hwsim.report.si import energy, seconds

        t = self.total
        head = (f"<b>{escape(self.model)} on {escape(self.arch)}</b> ({escape(self.family)}, {self.clock_mhz:g} MHz): "
                f"{seconds(t.latency_s)}, {energy(t.energy_pj)}, {t.cycles:,} cycles, {t.macs:,} MACs")
        rows = [(escape(layer.name), escape(layer.kind), layer.cycles, layer.latency_s, layer.energy_pj, f"{layer.macs:,}")
                for layer in self.layers]
        if t.other is not None:
            rows.append(("(other)", escape(t.other.reason), t.other.cycles, t.other.latency_s, t.other.energy_pj, ""))
        cells = "".join(f"<tr><td>{name}</td><td>{kind}</td><td>{cycles:,}</td><td>{seconds(latency)}</td>"
                        f"<td>{energy(energy_pj)}</td><td>{macs}</td></tr>"
                        for name, kind, cycles, latency, energy_pj, macs in rows)
        return (f"<div>{head}<table><tr><th>layer</th><th>kind</th><th>cycles</th><th>latency</th>"
                f"<th>energy</th><th>MACs</th></tr>{cells}</table></div>")

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "model": self.model,
            "arch": self.arch,
            "family": self.family,
            "clock_mhz": self.clock_mhz,
            "hwsim_version": self.hwsim_version,
            "workload": dict(self.workload),
            "total": self.total.to_dict(),
            "layers": [layer.to_dict() for layer in self.layers],
        }
