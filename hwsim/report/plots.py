"""PNG plots of reports and comparisons (matplotlib, imported only when plotting)."""

from __future__ import annotations

from pathlib import Path

from hwsim.errors import HwsimError
from hwsim.report.atomic import OutputSet, write_bytes_atomic
from hwsim.report.compare import Comparison
from hwsim.report.model import Report
from hwsim.extras import require


def pyplot():
    """matplotlib's pyplot on the Agg backend (files only), or one line naming the plot extra."""
    require("matplotlib", "a PNG plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_report(report: Report, path: Path, outputs: OutputSet | None = None) -> None:
    """Per-layer latency and energy bars, and the energy breakdown."""
    plt = pyplot()
    names = [layer.name for layer in report.layers]
    fig, axes = plt.subplots(3, 1, figsize=(max(8, 0.35 * len(names)), 11), constrained_layout=True)
    axes[0].bar(names, [layer.latency_s * 1e6 for layer in report.layers], color="tab:blue")
    axes[0].set_ylabel("latency (us)")
    axes[0].set_title(f"{report.model} on {report.arch}: per-layer latency")
    axes[1].bar(names, [layer.energy_pj / 1e6 for layer in report.layers], color="tab:orange")
    axes[1].set_ylabel("energy (uJ)")
    axes[1].set_title("per-layer energy")
    for ax in axes[:2]:
        ax.tick_params(axis="x", rotation=90, labelsize=7)
    items = sorted(report.total.energy_breakdown_pj.items(), key=lambda kv: kv[1])
    axes[2].barh([k for k, _ in items], [v / 1e6 for _, v in items], color="tab:green")
    axes[2].set_xlabel("energy (uJ)")
    axes[2].set_title("energy by component.action")
    save_figure(fig, plt, path, outputs=outputs)


def plot_comparison(cmp: Comparison, path: Path, outputs: OutputSet | None = None) -> None:
    """Per-layer latency of both designs (log scale) and per-layer speedup / energy efficiency,
    with the architectural part marked where the comparison has its split."""
    import numpy as np

    plt = pyplot()
    names = [layer.name for layer in cmp.ours.layers]
    x = np.arange(len(names))
    fig, axes = plt.subplots(2, 1, figsize=(max(8, 0.4 * len(names)), 9), constrained_layout=True)
    w = 0.4
    axes[0].bar(x - w / 2, [l.latency_s * 1e6 for l in cmp.ours.layers], w, label=cmp.ours.arch)
    axes[0].bar(x + w / 2, [l.latency_s * 1e6 for l in cmp.baseline.layers], w, label=cmp.baseline.arch)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("latency (us, log)")
    axes[0].set_title(f"{cmp.ours.model}: {cmp.ours.arch} vs {cmp.baseline.arch}")
    axes[0].legend()
    axes[1].bar(x - w / 2, [r.speedup for r in cmp.layers], w, label="speedup")
    axes[1].bar(x + w / 2, [r.energy_efficiency for r in cmp.layers], w, label="energy efficiency")
    axes[1].axhline(cmp.speedup, color="tab:blue", ls="--", lw=1, label=f"total speedup {cmp.speedup:.2f}x")
    axes[1].axhline(cmp.energy_efficiency, color="tab:orange", ls="--", lw=1,
                    label=f"total energy eff. {cmp.energy_efficiency:.2f}x")
    if cmp.split is not None:  # the hardware's part alone: both designs on the baseline's mapping
        arch = cmp.split.architectural
        axes[1].plot(x - w / 2, [r.speedup for r in arch.layers], "k_", ms=10, mew=2,
                     label=f"speedup on {cmp.baseline.arch}'s mapping ({arch.speedup:.2f}x)")
        axes[1].plot(x + w / 2, [r.energy_efficiency for r in arch.layers], "_", color="dimgray", ms=10, mew=2,
                     label=f"energy eff. on {cmp.baseline.arch}'s mapping ({arch.energy_efficiency:.2f}x)")
    axes[1].set_ylabel(f"{cmp.ours.arch} over {cmp.baseline.arch}")
    axes[1].legend()
    for ax in axes:
        ax.set_xticks(x, names, rotation=90, fontsize=7)
    save_figure(fig, plt, path, outputs=outputs)


def save_figure(fig, plt, path: Path, *, dpi: int = 110, outputs: OutputSet | None = None) -> None:
    """Render ``fig`` as PNG and close it; write it to ``path`` now, or add it to ``outputs``.

    The PNG is rendered in memory, so a plot that cannot be drawn fails before any file of the
    command is written, and the file itself is written all or none (:mod:`hwsim.report.atomic`).
    """
    import io

    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, dpi=dpi, format="png")
    except (ValueError, OverflowError, MemoryError) as exc:  # a figure too large to render
        raise HwsimError(f"{path}: cannot draw the plot ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    finally:
        plt.close(fig)
    if outputs is not None:
        outputs.add(path, buffer.getvalue())
    else:
        write_bytes_atomic(path, buffer.getvalue())
