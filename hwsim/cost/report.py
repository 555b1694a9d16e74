"""Turn counted layer stats into priced layer reports and totals."""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping, Sequence

from hwsim import __version__
from hwsim.cost.pricing import counted_actions, price_counts
from hwsim.report.model import LayerReport, Report, Totals, summed
from hwsim.sim.stats import LayerStats
from hwsim.units import cycles_to_seconds, power_w, um2_to_mm2


def build_report(
    *,
    model: str,
    arch: str,
    family: str,
    clock_mhz: float,
    stats: Sequence[LayerStats],
    energy_table_pj: Mapping[str, float],
    area_um2: Mapping[str, float],
    workload: Mapping[str, Any],
    total_extra: Mapping[str, Any] | None = None,
) -> Report:
    """Price every layer with ``energy_table_pj`` and sum the totals.

    Layers an engine could not run are counted by reason in the totals' ``not_priced_layers``
    (and marked ``not_priced`` in their own row), so a user sees what the numbers leave out.
    """
    layers = []
    total_breakdown: Counter[str] = Counter()
    not_priced: Counter[str] = Counter()
    for st in stats:
        if st.not_priced:
            not_priced[st.not_priced] += 1
        breakdown = price_counts(st.counts, energy_table_pj)
        total_breakdown.update(breakdown)
        layers.append(
            LayerReport(
                name=st.name,
                kind=st.kind,
                cycles=st.cycles,
                compute_cycles=st.compute_cycles,
                stall_cycles=st.other_cycles,
                latency_s=cycles_to_seconds(st.cycles, clock_mhz),
                energy_pj=sum(breakdown.values()),
                energy_breakdown_pj=breakdown,
                utilization=st.utilization,
                macs=st.macs,
                nonzero_weight_fraction=st.nonzero_weight_fraction,
                mapping=st.mapping,
                extra={**st.extra, **({"not_priced": st.not_priced} if st.not_priced else {})},
                action_counts=counted_actions(st.counts),
            )
        )
    cycles = sum(layer.cycles for layer in layers)
    latency_s = cycles_to_seconds(cycles, clock_mhz)
    energy_pj = sum(total_breakdown.values())
    area = {k: um2_to_mm2(v) for k, v in area_um2.items()}
    totals = Totals(
        cycles=cycles,
        latency_s=latency_s,
        energy_pj=energy_pj,
        energy_breakdown_pj=dict(sorted(total_breakdown.items())),
        area_mm2=sum(area.values()),
        area_breakdown_mm2=area,
        power_w=power_w(energy_pj, latency_s),
        macs=sum(layer.macs for layer in layers),
        extra={**(total_extra or {}), **({"not_priced_layers": dict(not_priced)} if not_priced else {})},
        action_counts=summed(layers, "action_counts"),
    )
    return Report(model, arch, family, clock_mhz, totals, tuple(layers), dict(workload), __version__)
