"""Write reports to disk atomically: a result file is either complete or absent."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
from pathlib import Path
from typing import Any

from hwsim.errors import HwsimError
from hwsim.report.model import Report


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # not mkstemp: it creates 0600, and results are ordinary files (0666 less the umask)
        tmp = str(path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise HwsimError(f"{path}: cannot write ({exc.strerror})") from None
    finally:
        if tmp is not None:
            # A failed write must not leave a half-written sibling behind.
            Path(tmp).unlink(missing_ok=True)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(payload, indent=2, sort_keys=False) + "\n")


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
