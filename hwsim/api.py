"""The few functions most users need: load, simulate, compare.

>>> from hwsim import api
>>> net = api.load_network("resnet18", weight_sparsity=0.8)
>>> report = api.simulate(net, api.load_arch("fat"))
"""

from __future__ import annotations

from typing import Any

from hwsim.errors import SimulationError
from hwsim.plugins import load_object
from hwsim.report.compare import Comparison
from hwsim.report.compare import compare as _compare
from hwsim.report.model import Report
from hwsim.spec.arch import ArchSpec, load_arch_spec
from hwsim.spec.enums import Family
from hwsim.workload.zoo import load_network as _load_network

# Each family's engine: (workload, spec) -> Report.
ENGINE_BY_FAMILY: dict[Family, str] = {
    Family.IMC: "hwsim.sim.imc.network:simulate_network",
    Family.SYSTOLIC: "hwsim.sim.systolic.network:simulate_network",
    Family.SNN: "hwsim.sim.snn.network:simulate_network",
    Family.ATTENTION: "hwsim.sim.attention.network:simulate_network",
    Family.ROOFLINE: "hwsim.sim.roofline.network:simulate_network",
}


def load_arch(name_or_path: str, *, overrides: dict[str, Any] | None = None) -> ArchSpec:
    """An accelerator spec from a preset name or file path (``overrides``: dotted keys)."""
    return load_arch_spec(name_or_path, overrides)


def load_network(name_or_path: str, *, overrides: dict[str, Any] | None = None, **workload: Any) -> Any:
    """A workload from the zoo or a file; keyword arguments set workload options.

    For ``hwsim.model/1`` networks ``weight_sparsity``, ``seed``, ``weights_file`` and
    ``act_bits`` are accepted; other workload kinds document their own options.
    """
    merged = {**(overrides or {}), **workload}
    return _load_network(name_or_path, merged)


def map_network(workload: Any, arch: ArchSpec, *, objective: str = "edp", budget: int | None = None,
                seed: int = 0, progress: Any = None) -> Any:
    """The mapper's best loop nest for every conv, linear and attention layer (a ``NetworkMapping``)."""
    from hwsim.mapping.network import DEFAULT_BUDGET
    from hwsim.mapping.network import map_network as _map_network
    from hwsim.spec.enums import Objective

    return _map_network(workload, arch, objective=Objective(objective), budget=budget or DEFAULT_BUDGET,
                        seed=seed, progress=progress)


def default_mapping(workload: Any, arch: ArchSpec) -> Any:
    """The loop nests an engine that takes them gets when the user gives none.

    The engine's module may define ``default_mapping(workload, spec)`` (its own objective
    and budget, or None where the spec takes no loop nest); otherwise the mapper's choice
    with :func:`map_network`'s defaults.
    """
    import importlib

    module = importlib.import_module(ENGINE_BY_FAMILY[Family(arch.family)].partition(":")[0])
    chooser = getattr(module, "default_mapping", None)
    return chooser(workload, arch) if chooser is not None else map_network(workload, arch)


def simulate(workload: Any, arch: ArchSpec, *, mapping: Any = None) -> Report:
    """Simulate ``workload`` on ``arch`` with the engine of the arch's family and price it.

    ``mapping`` is a ``hwsim.mapping/1`` file path or a ``NetworkMapping``.  An engine that
    takes loop nests (a ``mapping`` keyword) gets it, or :func:`default_mapping` when none is
    given; other engines choose their own data layout.  Either way the loop nests used or
    given are reported next to the numbers (``loopnest*`` fields of each layer).
    """
    import inspect

    family = Family(arch.family)
    engine = load_object(ENGINE_BY_FAMILY[family])
    if engine is None:
        raise SimulationError(f"arch '{arch.name}': family '{family.value}' has no engine in this hwsim version")
    source = "mapper"
    if mapping is not None and not hasattr(mapping, "layers"):
        from hwsim.mapping.mapfile import read_mapping_file

        source = str(mapping)
        mapping = read_mapping_file(mapping, workload, arch)
    if "mapping" in inspect.signature(engine).parameters:
        mapping = mapping if mapping is not None else default_mapping(workload, arch)
        report = engine(workload, arch, mapping=mapping)
    else:
        report = engine(workload, arch)
    if mapping is None or not isinstance(report, Report):
        return report
    from hwsim.mapping.annotate import annotate_report

    return annotate_report(report, mapping, source)


def compare(ours: Report, baseline: Report) -> Comparison:
    """Per-layer and total ratios of ``ours`` over ``baseline`` (> 1: ours better)."""
    return _compare(ours, baseline)
