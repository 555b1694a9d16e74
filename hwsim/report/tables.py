"""Terminal tables for reports and comparisons (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hwsim.report.compare import Comparison
from hwsim.report.model import Report

# Totals that FPGA families report instead of silicon area: (extra key, label).
_FPGA_RESOURCES = (("lut_used", "FPGA LUT"), ("ff_used", "FPGA FF"), ("bram36_used", "FPGA BRAM36"),
                   ("dsp_used", "FPGA DSP"))


def _eng(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def report_table(report: Report) -> Table:
    table = Table(title=f"{report.model} on {report.arch} ({report.family}, {report.clock_mhz:g} MHz)")
    for col in ("layer", "kind", "cycles", "latency us", "energy nJ", "util", "nz w", "MMAC"):
        table.add_column(col, justify="left" if col in ("layer", "kind") else "right")
    for layer in report.layers:
        nz = "" if layer.nonzero_weight_fraction is None else f"{layer.nonzero_weight_fraction:.3f}"
        table.add_row(layer.name, layer.kind, f"{layer.cycles:,}", f"{layer.latency_s * 1e6:.2f}",
                      f"{layer.energy_pj / 1e3:.1f}", f"{layer.utilization:.2f}", nz, f"{layer.macs / 1e6:.1f}")
    t = report.total
    table.add_section()
    table.add_row("total", "", f"{t.cycles:,}", f"{t.latency_s * 1e6:.2f}", f"{t.energy_pj / 1e3:.1f}", "", "",
                  f"{t.macs / 1e6:.1f}", style="bold")
    return table


def totals_table(report: Report) -> Table:
    t = report.total
    table = Table(title="totals", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_row("latency", f"{t.latency_s * 1e3:.4f} ms ({t.cycles:,} cycles)")
    table.add_row("energy", f"{t.energy_pj / 1e6:.3f} uJ")
    table.add_row("power", f"{t.power_w:.3f} W")
    if t.area_mm2 > 0:
        table.add_row("area", f"{t.area_mm2:.3f} mm2")
    for label, value in _fpga_resources(t).items():
        table.add_row(label, f"{value:,}")
    if "accuracy" in t.extra:
        table.add_row("accuracy", f"{100 * t.extra['accuracy']:.2f} % of {t.extra.get('samples', '?')} samples")
    top = sorted(t.energy_breakdown_pj.items(), key=lambda kv: -kv[1])[:5]
    for key, value in top:
        table.add_row(f"  energy: {key}", f"{100 * value / t.energy_pj:.1f} %")
    return table


def comparison_table(cmp: Comparison) -> Table:
    a, b = cmp.ours, cmp.baseline
    table = Table(title=f"{a.model}: {a.arch} vs {b.arch} (ratios > 1: {a.arch} better)")
    for col in ("layer", f"{a.arch} cycles", f"{b.arch} cycles", "speedup", f"{a.arch} nJ", f"{b.arch} nJ", "energy eff"):
        table.add_column(col, justify="left" if col == "layer" else "right")
    for la, lb, r in zip(a.layers, b.layers, cmp.layers):
        table.add_row(la.name, f"{la.cycles:,}", f"{lb.cycles:,}", f"{r.speedup:.2f}x",
                      f"{la.energy_pj / 1e3:.1f}", f"{lb.energy_pj / 1e3:.1f}", f"{r.energy_efficiency:.2f}x")
    table.add_section()
    table.add_row("total", f"{a.total.cycles:,}", f"{b.total.cycles:,}", f"{cmp.speedup:.2f}x",
                  f"{a.total.energy_pj / 1e3:.1f}", f"{b.total.energy_pj / 1e3:.1f}", f"{cmp.energy_efficiency:.2f}x",
                  style="bold")
    return table


def comparison_summary(cmp: Comparison) -> Table:
    table = Table(title="totals", show_header=True)
    for col in ("metric", cmp.ours.arch, cmp.baseline.arch, "ratio"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    a, b = cmp.ours.total, cmp.baseline.total
    table.add_row("latency ms", f"{a.latency_s * 1e3:.4f}", f"{b.latency_s * 1e3:.4f}",
                  f"{cmp.speedup:.2f}x speedup" + _split_text(cmp, "speedup"))
    table.add_row("energy uJ", f"{a.energy_pj / 1e6:.3f}", f"{b.energy_pj / 1e6:.3f}",
                  f"{cmp.energy_efficiency:.2f}x energy eff." + _split_text(cmp, "energy_efficiency"))
    table.add_row("power W", f"{a.power_w:.3f}", f"{b.power_w:.3f}", f"{cmp.power_ratio:.2f}x lower power")
    if cmp.area_ratio is not None:
        table.add_row("area mm2", f"{a.area_mm2:.3f}", f"{b.area_mm2:.3f}", f"{cmp.area_ratio:.2f}x smaller")
    res_a, res_b = _fpga_resources(a), _fpga_resources(b)
    for label in (lbl for lbl in res_a if lbl in res_b):
        table.add_row(label, f"{res_a[label]:,}", f"{res_b[label]:,}", "")
    if "accuracy" in a.extra and "accuracy" in b.extra:
        table.add_row("accuracy %", f"{100 * a.extra['accuracy']:.2f}", f"{100 * b.extra['accuracy']:.2f}", "")
    return table


def _split_text(cmp: Comparison, metric: str) -> str:
    """`` = 3.90x architecture x 2.28x mapping`` where the comparison has its split."""
    if cmp.split is None:
        return ""
    return (f" = {getattr(cmp.split.architectural, metric):.2f}x architecture"
            f" x {getattr(cmp.split.mapping, metric):.2f}x mapping")


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
