"""Run a whole network on an IMC accelerator and price it into a report."""

from __future__ import annotations

from hwsim.cost import imc as imc_cost
from hwsim.cost.report import build_report
from hwsim.errors import SimulationError
from hwsim.report.model import Report
from hwsim.sim.imc.engine import simulate_layer
from hwsim.spec.enums import Family
from hwsim.spec.imc import ImcSpec
from hwsim.workload.network import Network


def simulate_network(network: Network, arch: ImcSpec) -> Report:
    """Simulate every layer of ``network`` on ``arch`` and price the result."""
    if not isinstance(network, Network):
        raise SimulationError(
            f"model '{getattr(network, 'name', network)}' is not a layer network; arch '{arch.name}' (imc) runs conv/linear networks"
        )
    stats = [simulate_layer(layer, network.weights.get(layer.name), arch) for layer in network.layers]
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
            "weight_sparsity_measured": network.weight_sparsity(),
            "seed": network.seed,
            "dataset": network.dataset,
            **network.notes,
        },
    )
