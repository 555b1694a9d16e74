"""One run (a ``hwsim.report/1`` JSON) as a self-contained interactive HTML page (plotly).

The page shows the totals, per-layer latency, per-layer energy split by component.action,
the energy breakdown of the whole run, per-layer utilization and, in a table, the mapping
chosen for every layer.  plotly.js is embedded once, so the page opens offline.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Mapping

from hwsim.errors import HwsimError
from hwsim.input_files import read_text
from hwsim.limits import MAX_TEXT_BYTES
from hwsim.report.atomic import OutputSet
from hwsim.report.files import write_text_atomic
from hwsim.extras import require
from hwsim.report.model import SCHEMA
from hwsim.report.si import energy, seconds, watts

_CSS = """body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;color:#222}
table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0 1.5em}
td,th{border-bottom:1px solid #ddd;padding:3px 10px;text-align:right}
td:first-child,th:first-child,td.text{text-align:left}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}"""


def load_report_json(path: Path) -> dict[str, Any]:
    """Read a report file and check its schema; errors name the file."""
    path = Path(path)
    text = read_text(path, max_bytes=MAX_TEXT_BYTES, what="report JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HwsimError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise HwsimError(f"{path}: JSON nested too deeply to be a report") from None
    check_report(data, str(path))
    return data


def check_report(data: Any, origin: str) -> None:
    """Require the fields of schema ``hwsim.report/1`` that the page uses."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        got = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise HwsimError(f"{origin}: expected a '{SCHEMA}' report (hwsim simulate --json), got schema {got!r}")
    for key in ("model", "arch", "total", "layers"):
        if key not in data:
            raise HwsimError(f"{origin}: the report has no '{key}'")


def report_html(report: Mapping[str, Any], context: Mapping[str, str] | None = None) -> str:
    """The page for one report dict; ``context`` rows (a stored point's key and parameters)
    are listed above the totals."""
    require("plotly", "an HTML report")
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    layers = report["layers"]
    names = [layer["name"] for layer in layers]
    total = report["total"]
    components = sorted({k for layer in layers for k in layer.get("energy_breakdown_pj", {})})

    fig = make_subplots(rows=4, cols=1, vertical_spacing=0.07, subplot_titles=(
        "latency per layer (µs)", "energy per layer by component.action (µJ)", "utilization per layer",
        "energy of the whole run by component.action (µJ)"))
    fig.add_trace(go.Bar(x=names, y=[layer["latency_s"] * 1e6 for layer in layers], name="latency",
                         marker_color="#1f77b4", showlegend=False,
                         hovertemplate="%{x}: %{y:.4g} µs<extra></extra>"), row=1, col=1)
    for component in components:
        fig.add_trace(go.Bar(x=names, y=[layer.get("energy_breakdown_pj", {}).get(component, 0.0) / 1e6
                                         for layer in layers], name=component, legendgroup="energy",
                             hovertemplate=f"%{{x}} {component}: %{{y:.4g}} µJ<extra></extra>"), row=2, col=1)
    fig.add_trace(go.Bar(x=names, y=[layer["utilization"] for layer in layers], name="utilization",
                         marker_color="#2ca02c", showlegend=False,
                         hovertemplate="%{x}: %{y:.3f}<extra></extra>"), row=3, col=1)
    breakdown = sorted(total.get("energy_breakdown_pj", {}).items(), key=lambda kv: kv[1])
    fig.add_trace(go.Bar(y=[k for k, _ in breakdown], x=[v / 1e6 for _, v in breakdown], orientation="h",
                         marker_color="#ff7f0e", showlegend=False,
                         hovertemplate="%{y}: %{x:.4g} µJ<extra></extra>"), row=4, col=1)
    fig.update_layout(barmode="stack", height=1500, template="plotly_white", legend_title_text="energy")
    fig.update_yaxes(range=[0, 1.05], row=3, col=1)
    plot = fig.to_html(include_plotlyjs=True, full_html=False, div_id="hwsim-run")  # fixed id: same input, same page

    title = f"{report['model']} on {report['arch']}"
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
            f"{_rows_table(context or {})}{_totals_table(report)}<h2>Layers</h2>{plot}<h2>Mapping chosen per layer</h2>"
            f"{_layer_table(layers, report['total'].get('other'))}</body></html>\n")


def write_report_html(report: Mapping[str, Any], path: Path, context: Mapping[str, str] | None = None,
                      outputs: OutputSet | None = None) -> None:
    """Write the page for ``report`` now, or add it to ``outputs``."""
    if outputs is not None:
        outputs.add(path, report_html(report, context))
    else:
        write_text_atomic(Path(path), report_html(report, context))


def _rows_table(rows: Mapping[str, str]) -> str:
    if not rows:
        return ""
    body = "".join(f"<tr><td>{html.escape(k)}</td><td class=text>{html.escape(v)}</td></tr>" for k, v in rows.items())
    return f"<table>{body}</table>"


def _totals_table(report: Mapping[str, Any]) -> str:
    t = report["total"]
    rows = [("family", report.get("family", "")), ("clock", f"{report.get('clock_mhz', 0):g} MHz"),
            ("latency", f"{seconds(t['latency_s'])} ({t['cycles']:,} cycles)"),
            ("energy", energy(t['energy_pj'])),
            ("power", watts(t.get('power_w', float('nan')))), ("area", f"{t.get('area_mm2', 0):.4g} mm²"),
            ("MACs", f"{t.get('macs', 0):,}")]
    workload = report.get("workload", {})
    if workload.get("weight_sparsity_measured") is not None:
        rows.append(("weight sparsity (measured)", f"{workload['weight_sparsity_measured']:.4f}"))
    if report.get("hwsim_version"):
        rows.append(("hwsim", report["hwsim_version"]))
    body = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _layer_table(layers: list[Mapping[str, Any]], other: Mapping[str, Any] | None = None) -> str:
    head = ("layer", "kind", "cycles", "latency", "energy", "utilization", "nonzero weights", "mapping")
    rows = []
    if other:  # what no layer owns, so that the rows add up to the totals
        layers = [*layers, {"name": "(other)", "kind": "other", "cycles": other["cycles"],
                            "latency_s": other["latency_s"], "energy_pj": other["energy_pj"],
                            "mapping": other.get("reason", "")}]
    for layer in layers:
        nz = layer.get("nonzero_weight_fraction")
        util = layer.get("utilization")
        cells = (layer["name"], layer.get("kind", ""), f"{layer['cycles']:,}", seconds(layer["latency_s"]),
                 energy(layer["energy_pj"]), "" if util is None else f"{util:.3f}", "" if nz is None else f"{nz:.3f}",
                 layer.get("mapping", ""))
        rows.append("<tr>" + "".join(f"<td{' class=text' if i in (1, 7) else ''}>{html.escape(str(c))}</td>"
                                     for i, c in enumerate(cells)) + "</tr>")
    header = "".join(f"<th>{h}</th>" for h in head)
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"
