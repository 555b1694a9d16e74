"""Report files: the per-layer CSV and the JSON text; written all or none through :mod:`hwsim.report.atomic`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hwsim.report.atomic import write_bytes_atomic
from hwsim.report.model import Report


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
    return "".join(report_csv(r) if i == 0 else report_csv(r).split("\n", 1)[1] for i, r in enumerate(reports))


def report_csv(report: Report) -> str:
    """One row per layer with the headline numbers."""
    out = io.StringIO()
    fields = ["arch", "model", "layer", "kind", "cycles", "compute_cycles", "stall_cycles", "latency_s",
              "energy_pj", "utilization", "macs", "nonzero_weight_fraction", "mapping"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for layer in report.layers:
        writer.writerow({
            "arch": report.arch, "model": report.model, "layer": layer.name, "kind": layer.kind,
            "cycles": layer.cycles, "compute_cycles": layer.compute_cycles, "stall_cycles": layer.stall_cycles,
            "latency_s": f"{layer.latency_s:.6e}", "energy_pj": f"{layer.energy_pj:.6e}",
            "utilization": f"{layer.utilization:.4f}", "macs": layer.macs,
            "nonzero_weight_fraction": "" if layer.nonzero_weight_fraction is None else f"{layer.nonzero_weight_fraction:.4f}",
            "mapping": layer.mapping,
        })
    return out.getvalue()
