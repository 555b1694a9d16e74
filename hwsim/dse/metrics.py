"""Headline metrics of a design point, read from its report JSON (schema ``hwsim.report/1``).

Every metric has a unit in its name and a direction (lower or higher is better); the short
aliases (``latency``, ``energy``, ``area``) are what ``hwsim pareto --x/--y/--z`` accepts.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Mapping


class Goal(str, Enum):
    """Whether an objective is minimized or maximized."""

    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


class Metric(str, Enum):
    """The headline numbers stored per design point (one SQLite column each)."""

    LATENCY_S = "latency_s"
    ENERGY_PJ = "energy_pj"
    AREA_MM2 = "area_mm2"
    POWER_W = "power_w"
    CYCLES = "cycles"
    EDP_PJ_S = "edp_pj_s"
    UTILIZATION = "utilization"
    WEIGHT_DENSITY = "weight_density"
    ACCURACY = "accuracy"
    LUT_USED = "lut_used"
    DSP_USED = "dsp_used"

    @property
    def better(self) -> Goal:
        """The direction in which this metric improves."""
        higher = (Metric.UTILIZATION, Metric.WEIGHT_DENSITY, Metric.ACCURACY)
        return Goal.MAXIMIZE if self in higher else Goal.MINIMIZE

    @property
    def label(self) -> str:
        """An axis label with the unit."""
        return _LABELS[self]


_LABELS = {
    Metric.LATENCY_S: "latency (s)",
    Metric.ENERGY_PJ: "energy (pJ)",
    Metric.AREA_MM2: "area (mm²)",
    Metric.POWER_W: "power (W)",
    Metric.CYCLES: "cycles",
    Metric.EDP_PJ_S: "energy-delay product (pJ·s)",
    Metric.UTILIZATION: "utilization (time-weighted)",
    Metric.WEIGHT_DENSITY: "weight density (nonzero fraction)",
    Metric.ACCURACY: "accuracy (fraction correct)",
    Metric.LUT_USED: "FPGA LUTs",
    Metric.DSP_USED: "FPGA DSPs",
}

ALIASES: dict[str, Metric] = {
    "latency": Metric.LATENCY_S,
    "energy": Metric.ENERGY_PJ,
    "area": Metric.AREA_MM2,
    "power": Metric.POWER_W,
    "edp": Metric.EDP_PJ_S,
    "density": Metric.WEIGHT_DENSITY,
    "accuracy_proxy": Metric.WEIGHT_DENSITY,
    "luts": Metric.LUT_USED,
    "dsps": Metric.DSP_USED,
}


def parse_metric(name: str) -> Metric:
    """A metric from its column name or alias; ``ValueError`` naming the choices otherwise."""
    key = name.strip().lower().replace("-", "_")
    if key in ALIASES:
        return ALIASES[key]
    try:
        return Metric(key)
    except ValueError:
        choices = ", ".join([m.value for m in Metric] + sorted(ALIASES))
        raise ValueError(f"unknown metric {name!r} (expected one of {choices})") from None


def headline_metrics(report: Mapping[str, Any]) -> dict[Metric, float]:
    """The stored metrics of one report dict.

    ``utilization`` is the cycle-weighted mean of the per-layer utilizations;
    ``weight_density`` is one minus the measured weight sparsity (NaN when unknown) and
    serves as the accuracy proxy: the more weights pruned to zero, the lower it is.
    ``accuracy`` is the measured test accuracy of families that run a dataset (SNN), and
    ``lut_used``/``dsp_used`` the FPGA resources of FPGA designs; NaN for the others.
    """
    total = report["total"]
    layers = report.get("layers", [])
    cycles = sum(layer["cycles"] for layer in layers)
    util = sum(layer["utilization"] * layer["cycles"] for layer in layers) / cycles if cycles else 0.0
    sparsity = report.get("workload", {}).get("weight_sparsity_measured")
    return {
        Metric.LATENCY_S: float(total["latency_s"]),
        Metric.ENERGY_PJ: float(total["energy_pj"]),
        Metric.AREA_MM2: float(total["area_mm2"]),
        Metric.POWER_W: float(total.get("power_w", float("nan"))),
        Metric.CYCLES: float(total["cycles"]),
        Metric.EDP_PJ_S: float(total["energy_pj"]) * float(total["latency_s"]),
        Metric.UTILIZATION: float(util),
        Metric.WEIGHT_DENSITY: float("nan") if sparsity is None else 1.0 - float(sparsity),
        Metric.ACCURACY: float(total.get("accuracy", float("nan"))),
        Metric.LUT_USED: float(total.get("lut_used", float("nan"))),
        Metric.DSP_USED: float(total.get("dsp_used", float("nan"))),
    }
