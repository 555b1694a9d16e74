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
    """``report`` with each matching layer's loop nest and its cost as extra fields.

    A report row that stands for several mapped layers (an attention stage for its score and
    value products) gets all their nests and the sum of their costs.
    """
    layers = []
    for layer in report.layers:
        # a row is one mapped layer, or a stage made of several (attention: <block>.attn.qk, .av)
        parts = [m for m in network.layers if m.name == layer.name or m.name.startswith(layer.name + ".")]
        if not parts:
            layers.append(layer)
            continue
        nest = "; ".join(describe_nest(m) if m.name == layer.name else f"{m.name[len(layer.name) + 1:]}: "
                         f"{describe_nest(m)}" for m in parts)
        extra = {**dict(layer.extra), "loopnest": nest,
                 "loopnest_latency_cycles": sum(m.mapping.latency_cycles for m in parts),
                 "loopnest_energy_pj": sum(m.mapping.energy_pj for m in parts)}
        layers.append(replace(layer, extra=extra))
    workload = {**dict(report.workload), "mapping": {"source": source, "objective": network.objective.value,
                                                     "layers": len(network.layers)}}
    return replace(report, layers=tuple(layers), workload=workload)
