"""Run a whole network on an IMC accelerator and price it into a report.

Every weighted layer gets the data mapping and tiling :func:`hwsim.mapping.imc.map_layer`
finds best for the spec's ``mapping_objective``, unless the spec pins a data mapping
(``data_mapping: weight_stationary`` etc.; ``search`` is the default).  To run a design with
another design's per-layer data mappings (the tilings are then searched within them), pass
them in; each layer's row and the totals say ``mapping_source: pinned``::

    fat = simulate_network(net, fat_spec)
    base = simulate_network(net, parapim_spec, data_mappings=layer_data_mappings(fat))

A whole-network pin from the command line is ``--set data_mapping=combined_stationary``, and
``--set data_mapping=search`` lifts a preset's pin.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Mapping

from hwsim.cost import imc as imc_cost
from hwsim.cost.report import build_report
from hwsim.errors import SimulationError
from hwsim.report.model import Report
from hwsim.mapping.imc import NetworkTilings
from hwsim.sim.imc.engine import simulate_layer
from hwsim.spec.enums import DataMapping, Family
from hwsim.spec.imc import ImcSpec
from hwsim.workload.network import Network


def simulate_network(network: Network, arch: ImcSpec, *,
                     data_mappings: Mapping[str, DataMapping | str] | None = None,
                     mapping: NetworkTilings | None = None) -> Report:
    """Simulate every layer of ``network`` on ``arch`` and price the result.

    Parameters
    ----------
    data_mappings
        Layer name -> data mapping to pin for that layer (a :class:`DataMapping` or its
        value); layers not named follow the spec.
    mapping
        The exact tilings to run (a mapping file's, or another run's), by layer name; those
        layers are not searched.
    """
    if not isinstance(network, Network):
        raise SimulationError(
            f"model '{getattr(network, 'name', network)}' is not a layer network; arch '{arch.name}' (imc) runs conv/linear networks"
        )
    pins = _pins(network, arch, data_mappings or {})
    memo: dict[tuple, object] = {}
    tilings = mapping.tilings if mapping is not None else {}
    stats = [simulate_layer(layer, network.weights.get(layer.name), arch, data_mapping=pins.get(layer.name), memo=memo,
                            tiling=tilings.get(layer.name))
             for layer in network.layers]
    sources = Counter(st.extra["mapping_source"] for st in stats if "mapping_source" in st.extra)
    used = Counter(st.extra["data_mapping"] for st in stats if "data_mapping" in st.extra)
    total_extra = {}
    if sources:
        total_extra = {"mapping_source": next(iter(sources)) if len(sources) == 1 else "mixed",
                       "data_mappings": dict(sorted(used.items()))}
    return build_report(
        model=network.name,
        arch=arch.name,
        family=Family.IMC.value,
        clock_mhz=arch.clock_mhz,
        stats=stats,
        energy_table_pj=imc_cost.energy_table_pj(arch),
        area_um2=imc_cost.area_breakdown_um2(arch),
        workload={
            "weight_sparsity_requested": network.weight_sparsity_requested,
            "weight_sparsity_measured": network.weight_sparsity(
                {name: memo[("nonzeros", name)] for name in network.weights if ("nonzeros", name) in memo}),
            "seed": network.seed,
            "dataset": network.dataset,
            **network.notes,
        },
        total_extra=total_extra,
    )


def layer_data_mappings(report: Report) -> dict[str, DataMapping]:
    """The data mapping each weighted layer of an IMC ``report`` ran with, by layer name."""
    return {layer.name: DataMapping(layer.extra["data_mapping"]) for layer in report.layers
            if "data_mapping" in layer.extra}


def _pins(network: Network, arch: ImcSpec, given: Mapping[str, DataMapping | str]) -> dict[str, DataMapping]:
    names = {layer.name for layer in network.layers}
    choices = ", ".join(f"'{m.value}'" for m in DataMapping)
    pins: dict[str, DataMapping] = {}
    for name, value in given.items():
        if name not in names:
            raise SimulationError(f"data_mappings: model '{network.name}' has no layer '{name}'")
        try:
            pins[name] = DataMapping(value)
        except ValueError:
            raise SimulationError(
                f"data_mappings: layer '{name}' = {value!r} on arch '{arch.name}': expected one of {choices}"
            ) from None
    return pins


def layer_tilings(report: Report, network: Network, arch: ImcSpec) -> NetworkTilings:
    """The exact tiling each weighted layer of an IMC ``report`` ran with, rebuilt from its extras."""
    from hwsim.mapping.imc import tiling_of

    out = {}
    for row, layer in zip(report.layers, network.layers):
        if "chunk_len" in row.extra:
            group = layer if layer.G == 1 else replace(layer, G=1)
            out[row.name] = tiling_of(group, arch, DataMapping(row.extra["data_mapping"]), int(row.extra["chunk_len"]),
                                      int(row.extra["chunks_per_part"]), int(row.extra["k_per_group"]),
                                      source=row.extra["mapping_source"])
    return NetworkTilings(model=report.model, arch=report.arch, tilings=out)
