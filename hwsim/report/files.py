"""Report files: the per-layer CSV and the JSON text; written all or none through :mod:`hwsim.report.atomic`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hwsim.report.atomic import write_bytes_atomic
from hwsim.report.model import LayerReport, OtherPart, Report


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` complete or not at all (:mod:`hwsim.report.atomic`)."""
    write_bytes_atomic(path, text)


def json_text(payload: dict[str, Any]) -> str:
    """``payload`` as the JSON hwsim writes (indented, keys in their order)."""
    return json.dumps(payload, indent=2, sort_keys=False) + "\n"


def write_json(path: Path, payload: dict[str, Any]) -> None:
    write_text_atomic(path, json_text(payload))


def reports_csv(reports: list[Report]) -> str:
    """The per-layer rows of several reports (a comparison's) under one header."""
    return _csv(reports)


def report_csv(report: Report) -> str:
    """One row per layer, then an ``(other)`` row for what no layer owns: the rows add up to the totals.

    Raw units (``_s``, ``_pj``); the energy breakdown as ``energy_pj.<component.action>`` columns and
    the action counts as ``count.<component.action>`` columns (empty where a layer has none).
    """
    return _csv([report])


_FIELDS = ["arch", "model", "layer", "kind", "cycles", "compute_cycles", "stall_cycles", "latency_s",
           "energy_pj", "utilization", "macs", "nonzero_weight_fraction", "mapping"]


def _csv(reports: list[Report]) -> str:
    rows = [(report, part) for report in reports for part in _parts(report)]
    energy_keys = sorted({key for _, part in rows for key in part.energy_breakdown_pj})
    count_keys = sorted({key for _, part in rows for key in part.action_counts})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*_FIELDS, *(f"energy_pj.{k}" for k in energy_keys),
                                             *(f"count.{k}" for k in count_keys)], lineterminator="\n")
    writer.writeheader()
    for report, part in rows:
        row = {"arch": report.arch, "model": report.model, "cycles": part.cycles, "latency_s": repr(part.latency_s),
               "energy_pj": repr(part.energy_pj)}
        if isinstance(part, OtherPart):
            row.update({"layer": "(other)", "kind": "other", "mapping": part.reason})
        else:
            nz = part.nonzero_weight_fraction
            row.update({"layer": part.name, "kind": part.kind, "compute_cycles": part.compute_cycles,
                        "stall_cycles": part.stall_cycles, "utilization": f"{part.utilization:.4f}", "macs": part.macs,
                        "nonzero_weight_fraction": "" if nz is None else f"{nz:.4f}", "mapping": part.mapping})
        row.update({f"energy_pj.{k}": repr(float(v)) for k, v in part.energy_breakdown_pj.items()})
        row.update({f"count.{k}": _number(v) for k, v in part.action_counts.items()})
        writer.writerow(row)
    return out.getvalue()


def _parts(report: Report) -> list[LayerReport | OtherPart]:
    other = report.total.other
    return [*report.layers, *([other] if other is not None else [])]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
