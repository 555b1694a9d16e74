"""The lines a reader of a report's numbers must see beside them: what they leave out or assume."""

from __future__ import annotations

from hwsim.report.model import Report


def notes(report: Report) -> list[str]:
    """One line per thing a reader of the numbers must know: unpriced layers, quantized float weights."""
    lines = [f"{report.arch}: {count} layer{'s' if count > 1 else ''} not priced: {reason}"
             for reason, count in report.total.extra.get("not_priced_layers", {}).items()]
    quantize = report.workload.get("quantize")
    if isinstance(quantize, str) and quantize.split(":")[0] in ("ternary", "binary") + tuple(f"int{b}" for b in range(2, 9)):
        lines.append(f"{report.model}: weights {quantize}")
    return lines
