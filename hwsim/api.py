"""The few functions most users need: load, simulate, compare.

>>> from hwsim import api
>>> net = api.load_network("resnet18", weight_sparsity=0.8)
>>> report = api.simulate(net, api.load_arch("fat"))
"""

from __future__ import annotations

from typing import Any

from hwsim.cost import imc as imc_cost
from hwsim.cost.report import build_report
from hwsim.report.compare import Comparison
from hwsim.report.compare import compare as _compare
from hwsim.report.model import Report
from hwsim.sim.imc.engine import simulate_layer as simulate_imc_layer
from hwsim.spec.arch import ArchSpec, load_arch_spec
from hwsim.spec.enums import Family
from hwsim.spec.imc import ImcSpec
from hwsim.workload.network import Network
from hwsim.workload.zoo import load_network as _load_network


def load_arch(name_or_path: str, *, overrides: dict[str, Any] | None = None) -> ArchSpec:
    """An accelerator spec from a preset name or YAML path (``overrides``: dotted keys)."""
    return load_arch_spec(name_or_path, overrides)


def load_network(name_or_path: str, *, overrides: dict[str, Any] | None = None, **workload: Any) -> Network:
    """A network from the zoo or a YAML path; keyword arguments set workload options.

    ``weight_sparsity``, ``seed``, ``weights_file`` and ``act_bits`` are accepted.
    """
    merged = {**(overrides or {}), **workload}
    return _load_network(name_or_path, merged)


def simulate(network: Network, arch: ArchSpec) -> Report:
    """Simulate every layer of ``network`` on ``arch`` and price the result."""
    if isinstance(arch, ImcSpec):
        stats = [simulate_imc_layer(layer, network.weights.get(layer.name), arch) for layer in network.layers]
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
            },
        )
    raise TypeError(f"no engine for spec type {type(arch).__name__}")


def compare(ours: Report, baseline: Report) -> Comparison:
    """Per-layer and total ratios of ``ours`` over ``baseline`` (> 1: ours better)."""
    return _compare(ours, baseline)
