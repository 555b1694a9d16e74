"""Attach loop-nest mappings to an engine's report, for engines that do not take one.

The IMC and FPGA attention engines model their own datapaths (bit-serial zero skipping, a
coarse stage pipeline) and choose their data layout themselves; a loop nest given to them
is reported next to their numbers, per layer, with its modelled cost.  The report's cycles
and energy stay the engine's.
"""

from __future__ import annotations

from dataclasses import replace

from hwsim.mapping.network import NetworkMapping, level_loops, spatial_text
from hwsim.report.model import Report


def describe_nest(m) -> str:
    """``rows C3 x cols K32 | column[R7] weight_buffer[S7 Q112]``: unrolling, then loops per level."""
    levels = " ".join(f"{name}[{' '.join(f'{d}{f}' for d, f in loops) or '-'}]" for name, loops in level_loops(m))
    return f"{spatial_text(m)} | {levels}"


def annotate_report(report: Report, network: NetworkMapping, source: str) -> Report:
    """``report`` with each matching layer's loop nest and its cost as extra fields."""
    layers = []
    for layer in report.layers:
        m = network.get(layer.name)
        if m is None:
            layers.append(layer)
            continue
        extra = {**dict(layer.extra), "loopnest": describe_nest(m),
                 "loopnest_latency_cycles": m.mapping.latency_cycles, "loopnest_energy_pj": m.mapping.energy_pj}
        layers.append(replace(layer, extra=extra))
    workload = {**dict(report.workload), "mapping": {"source": source, "objective": network.objective.value,
                                                     "layers": len(network.layers)}}
    return replace(report, layers=tuple(layers), workload=workload)
