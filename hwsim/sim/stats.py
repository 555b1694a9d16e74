"""What every engine returns for a layer: cycles and action counts, never energy."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class LayerStats:
    """Counted behaviour of one layer on one accelerator.

    ``counts`` maps ``"component.action"`` to how many times the action happened (in the
    unit the energy table prices it in: per column-bit, per cell, per bit, per weight).
    ``cycles = compute_cycles + other_cycles``.  ``not_priced`` says why a layer the
    accelerator cannot run costs nothing in the report (empty when it is priced).
    """

    name: str
    kind: str
    cycles: int
    compute_cycles: int
    other_cycles: int
    counts: Mapping[str, float]
    utilization: float
    macs: int
    nonzero_weight_fraction: float | None
    mapping: str = ""
    extra: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    not_priced: str = ""


def not_priced_stats(name: str, kind: str, reason: str, *, macs: int = 0) -> LayerStats:
    """A layer listed in the report at zero cycles and energy, with the reason it costs nothing."""
    return LayerStats(name, kind, 0, 0, 0, MappingProxyType({}), 0.0, macs, None, f"not priced: {reason}",
                      not_priced=reason)
