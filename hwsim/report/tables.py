"""Terminal tables for reports and comparisons (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hwsim.report.compare import Comparison
from hwsim.report.model import Report
from hwsim.report.si import energy, ratio_words, seconds, watts

# Totals that FPGA families report instead of silicon area: (extra key, label).
_FPGA_RESOURCES = (("lut_used", "FPGA LUT"), ("ff_used", "FPGA FF"), ("bram36_used", "FPGA BRAM36"),
                   ("dsp_used", "FPGA DSP"))


def report_table(report: Report) -> Table:
    """One row per layer, then what no layer owns (if anything), then the total: the rows add up."""
    table = Table(title=f"{report.model} on {report.arch} ({report.family}, {report.clock_mhz:g} MHz)")
    for col in ("layer", "kind", "cycles", "latency", "energy", "util", "nz w", "MMAC"):
        table.add_column(col, justify="left" if col in ("layer", "kind") else "right")
    for layer in report.layers:
        nz = "" if layer.nonzero_weight_fraction is None else f"{layer.nonzero_weight_fraction:.3f}"
        table.add_row(layer.name, layer.kind, f"{layer.cycles:,}", seconds(layer.latency_s), energy(layer.energy_pj),
                      f"{layer.utilization:.2f}", nz, f"{layer.macs / 1e6:.1f}")
    t = report.total
    if t.other is not None:
        table.add_row("(other)", "", f"{t.other.cycles:,}", seconds(t.other.latency_s), energy(t.other.energy_pj),
                      "", "", "", style="dim")
    table.add_section()
    table.add_row("total", "", f"{t.cycles:,}", seconds(t.latency_s), energy(t.energy_pj), "", "",
                  f"{t.macs / 1e6:.1f}", style="bold")
    if t.other is not None:
        table.caption = f"(other): {t.other.reason}"
    return table


def totals_table(report: Report) -> Table:
    t = report.total
    table = Table(title="totals", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("latency", f"{seconds(t.latency_s)} ({t.cycles:,} cycles)")
    table.add_row("energy", energy(t.energy_pj))
    table.add_row("power", watts(t.power_w))
    if t.area_mm2 > 0:
        table.add_row("area", f"{t.area_mm2:.3f} mm2")
    for label, value in _fpga_resources(t).items():
        table.add_row(label, f"{value:,}")
    if "accuracy" in t.extra:
        table.add_row("accuracy", f"{100 * t.extra['accuracy']:.2f} % of {t.extra.get('samples', '?')} samples")
    top = sorted(t.energy_breakdown_pj.items(), key=lambda kv: -kv[1])[:5]
    for key, value in top:
        table.add_row(f"  energy: {key}", f"{energy(value)} ({100 * value / t.energy_pj:.1f} %)")
    return table


def comparison_table(cmp: Comparison) -> Table:
    a, b = cmp.ours, cmp.baseline
    table = Table(title=f"{a.model}: {a.arch} against {b.arch}")
    for col in ("layer", f"{a.arch} cycles", f"{b.arch} cycles", "latency", f"{a.arch} energy", f"{b.arch} energy",
                "energy"):
        table.add_column(col, justify="left" if col == "layer" else "right")
    for la, lb, r in zip(a.layers, b.layers, cmp.layers):
        table.add_row(la.name, f"{la.cycles:,}", f"{lb.cycles:,}", ratio_words(r.speedup, "faster", "slower"),
                      energy(la.energy_pj), energy(lb.energy_pj), ratio_words(r.energy_efficiency, "less", "more"))
    table.add_section()
    table.add_row("total", f"{a.total.cycles:,}", f"{b.total.cycles:,}", ratio_words(cmp.speedup, "faster", "slower"),
                  energy(a.total.energy_pj), energy(b.total.energy_pj),
                  ratio_words(cmp.energy_efficiency, "less", "more"), style="bold")
    return table


def comparison_summary(cmp: Comparison) -> Table:
    table = Table(title="totals", show_header=True)
    for col in ("metric", cmp.ours.arch, cmp.baseline.arch, f"{cmp.ours.arch} against {cmp.baseline.arch}"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    a, b = cmp.ours.total, cmp.baseline.total
    table.add_row("latency", seconds(a.latency_s), seconds(b.latency_s),
                  ratio_words(cmp.speedup, "faster", "slower") + _split_text(cmp, "speedup"))
    table.add_row("energy", energy(a.energy_pj), energy(b.energy_pj),
                  ratio_words(cmp.energy_efficiency, "less energy", "more energy") + _split_text(cmp, "energy_efficiency"))
    table.add_row("power", watts(a.power_w), watts(b.power_w), ratio_words(cmp.power_ratio, "less power", "more power"))
    if cmp.area_ratio is not None:
        table.add_row("area", f"{a.area_mm2:.3f} mm2", f"{b.area_mm2:.3f} mm2",
                      ratio_words(cmp.area_ratio, "smaller", "larger"))
    res_a, res_b = _fpga_resources(a), _fpga_resources(b)
    for label in (lbl for lbl in res_a if lbl in res_b):
        table.add_row(label, f"{res_a[label]:,}", f"{res_b[label]:,}", "")
    if "accuracy" in a.extra and "accuracy" in b.extra:
        table.add_row("accuracy %", f"{100 * a.extra['accuracy']:.2f}", f"{100 * b.extra['accuracy']:.2f}", "")
    return table


def _split_text(cmp: Comparison, metric: str) -> str:
    """`` (3.9x from the architecture x 2.28x from the mapping)`` where the comparison has its split.

    The factors multiply to the ratio as worded: turned over with it when ours is worse.
    """
    if cmp.split is None:
        return ""
    arch, mapping = getattr(cmp.split.architectural, metric), getattr(cmp.split.mapping, metric)
    if getattr(cmp, metric) < 1 and arch > 0 and mapping > 0:
        arch, mapping = 1 / arch, 1 / mapping
    return f" ({arch:.3g}x from the architecture x {mapping:.3g}x from the mapping)"


def _fpga_resources(total) -> dict[str, int]:
    """FPGA resource totals by label, from either reporting style of the FPGA families."""
    nested = total.extra.get("fpga_resources") or {}
    found = {}
    for key, label in _FPGA_RESOURCES:
        short = key.removesuffix("_used")
        value = total.extra.get(key, nested.get(short))
        if value is not None:
            found[label] = value
    return found



def print_tables(*tables: Table) -> None:
    console = Console(width=140)
    for table in tables:
        console.print(table)
