"""One run (a ``hwsim.report/1`` dict) as a PNG: latency, energy by component, utilization, breakdown.

The dict form lets ``hwsim report`` draw any saved report, including one read back from a
results store, without rebuilding Report objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from hwsim.report.atomic import OutputSet
from hwsim.report.plots import pyplot, save_figure


def write_run_png(report: Mapping[str, Any], path: Path, outputs: OutputSet | None = None) -> None:
    """Four panels: per-layer latency, per-layer energy stacked by component.action,
    per-layer utilization, and the energy breakdown of the whole run."""
    plt = pyplot()
    import numpy as np

    layers = report["layers"]
    names = [layer["name"] for layer in layers]
    x = np.arange(len(names))
    fig, axes = plt.subplots(4, 1, figsize=(max(9, 0.38 * len(names)), 14), constrained_layout=True)
    axes[0].bar(x, [layer["latency_s"] * 1e6 for layer in layers], color="tab:blue")
    axes[0].set_ylabel("latency (µs)")
    axes[0].set_title(f"{report['model']} on {report['arch']}: per-layer latency "
                      f"(total {report['total']['latency_s'] * 1e3:.4g} ms)")
    components = sorted({k for layer in layers for k in layer.get("energy_breakdown_pj", {})})
    bottom = np.zeros(len(layers))
    for index, component in enumerate(components):
        values = np.array([layer.get("energy_breakdown_pj", {}).get(component, 0.0) / 1e6 for layer in layers])
        axes[1].bar(x, values, bottom=bottom, label=component, color=f"C{index % 10}")
        bottom += values
    axes[1].set_ylabel("energy (µJ)")
    axes[1].set_title(f"per-layer energy by component.action (total {report['total']['energy_pj'] / 1e6:.4g} µJ)")
    if components:
        axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[2].bar(x, [layer["utilization"] for layer in layers], color="tab:green")
    axes[2].set_ylim(0, 1.05)
    axes[2].set_ylabel("utilization")
    axes[2].set_title("per-layer utilization")
    for ax in axes[:3]:
        ax.set_xticks(x, names, rotation=90, fontsize=7)
    items = sorted(report["total"].get("energy_breakdown_pj", {}).items(), key=lambda kv: kv[1])
    axes[3].barh([k for k, _ in items], [v / 1e6 for _, v in items], color="tab:orange")
    axes[3].set_xlabel("energy (µJ)")
    axes[3].set_title("energy of the whole run by component.action")
    save_figure(fig, plt, path, dpi=100, outputs=outputs)
