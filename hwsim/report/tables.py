"""Terminal tables for reports and comparisons (drawn by :mod:`hwsim.report.text_table`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hwsim.report.si import energy, ratio_words, seconds, watts
from hwsim.report.text_table import RULE, Column, Justify, Row, RowStyle, Rule, Table, print_tables

if TYPE_CHECKING:  # a simulation's tables do not import the comparison
    from hwsim.report.compare import Comparison
    from hwsim.report.model import Report

__all__ = ["comparison_summary", "comparison_table", "print_tables", "report_table", "totals_table"]

# Totals that FPGA families report instead of silicon area: (extra key, label).
_FPGA_RESOURCES = (("lut_used", "FPGA LUT"), ("ff_used", "FPGA FF"), ("bram36_used", "FPGA BRAM36"),
                   ("dsp_used", "FPGA DSP"))


def _columns(*headers: str, left: int = 1) -> tuple[Column, ...]:
    """The first ``left`` columns are text (left-justified), the rest numbers (right-justified)."""
    return tuple(Column(h, Justify.LEFT if i < left else Justify.RIGHT) for i, h in enumerate(headers))


def report_table(report: Report) -> Table:
    """One row per layer, then what no layer owns (if anything), then the total: the rows add up."""
    rows: list[Row | Rule] = []
    for layer in report.layers:
        nz = "" if layer.nonzero_weight_fraction is None else f"{layer.nonzero_weight_fraction:.3f}"
        rows.append(Row((layer.name, layer.kind, f"{layer.cycles:,}", seconds(layer.latency_s),
                         energy(layer.energy_pj), f"{layer.utilization:.2f}", nz, f"{layer.macs / 1e6:.1f}")))
    t = report.total
    if t.other is not None:
        rows.append(Row(("(other)", "", f"{t.other.cycles:,}", seconds(t.other.latency_s), energy(t.other.energy_pj),
                         "", "", ""), RowStyle.DIM))
    rows += [RULE, Row(("total", "", f"{t.cycles:,}", seconds(t.latency_s), energy(t.energy_pj), "", "",
                        f"{t.macs / 1e6:.1f}"), RowStyle.BOLD)]
    return Table(f"{report.model} on {report.arch} ({report.family}, {report.clock_mhz:g} MHz)",
                 _columns("layer", "kind", "cycles", "latency", "energy", "util", "nz w", "MMAC", left=2), rows,
                 caption=None if t.other is None else f"(other): {t.other.reason}")


def totals_table(report: Report) -> Table:
    t = report.total
    rows = [("latency", f"{seconds(t.latency_s)} ({t.cycles:,} cycles)"), ("energy", energy(t.energy_pj)),
            ("power", watts(t.power_w))]
    if t.area_mm2 > 0:
        rows.append(("area", f"{t.area_mm2:.3f} mm2"))
    rows += [(label, f"{value:,}") for label, value in _fpga_resources(t).items()]
    if "accuracy" in t.extra:
        rows.append(("accuracy", f"{100 * t.extra['accuracy']:.2f} % of {t.extra.get('samples', '?')} samples"))
    top = sorted(t.energy_breakdown_pj.items(), key=lambda kv: -kv[1])[:5]
    rows += [(f"  energy: {key}", f"{energy(value)} ({100 * value / t.energy_pj:.1f} %)") for key, value in top]
    return Table("totals", _columns("metric", "value"), [Row(r) for r in rows], show_header=False)


def comparison_table(cmp: Comparison) -> Table:
    a, b = cmp.ours, cmp.baseline
    rows: list[Row | Rule] = [
        Row((la.name, f"{la.cycles:,}", f"{lb.cycles:,}", ratio_words(r.speedup, "faster", "slower"),
             energy(la.energy_pj), energy(lb.energy_pj), ratio_words(r.energy_efficiency, "less", "more")))
        for la, lb, r in zip(a.layers, b.layers, cmp.layers)]
    rows += [RULE, Row(("total", f"{a.total.cycles:,}", f"{b.total.cycles:,}",
                        ratio_words(cmp.speedup, "faster", "slower"), energy(a.total.energy_pj),
                        energy(b.total.energy_pj), ratio_words(cmp.energy_efficiency, "less", "more")), RowStyle.BOLD)]
    return Table(f"{a.model}: {a.arch} against {b.arch}",
                 _columns("layer", f"{a.arch} cycles", f"{b.arch} cycles", "latency", f"{a.arch} energy",
                          f"{b.arch} energy", "energy"), rows)


def comparison_summary(cmp: Comparison) -> Table:
    a, b = cmp.ours.total, cmp.baseline.total
    rows = [("latency", seconds(a.latency_s), seconds(b.latency_s),
             ratio_words(cmp.speedup, "faster", "slower") + _split_text(cmp, "speedup")),
            ("energy", energy(a.energy_pj), energy(b.energy_pj),
             ratio_words(cmp.energy_efficiency, "less energy", "more energy") + _split_text(cmp, "energy_efficiency")),
            ("power", watts(a.power_w), watts(b.power_w), ratio_words(cmp.power_ratio, "less power", "more power"))]
    if cmp.area_ratio is not None:
        rows.append(("area", f"{a.area_mm2:.3f} mm2", f"{b.area_mm2:.3f} mm2",
                     ratio_words(cmp.area_ratio, "smaller", "larger")))
    res_a, res_b = _fpga_resources(a), _fpga_resources(b)
    rows += [(label, f"{res_a[label]:,}", f"{res_b[label]:,}", "") for label in res_a if label in res_b]
    if "accuracy" in a.extra and "accuracy" in b.extra:
        rows.append(("accuracy %", f"{100 * a.extra['accuracy']:.2f}", f"{100 * b.extra['accuracy']:.2f}", ""))
    return Table("totals", _columns("metric", cmp.ours.arch, cmp.baseline.arch,
                                    f"{cmp.ours.arch} against {cmp.baseline.arch}"), [Row(r) for r in rows])


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

