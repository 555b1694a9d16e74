"""The few functions most users need: load, simulate, compare.

>>> from hwsim import api
>>> net = api.load_network("resnet18", weight_sparsity=0.8)
>>> report = api.simulate(net, api.load_arch("fat"))
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwsim.engines import ENGINE_BY_FAMILY
from hwsim.errors import SimulationError
from hwsim.report.model import Report
from hwsim.spec.arch import ArchSpec, load_arch_spec
from hwsim.spec.enums import Family
from hwsim.workload.zoo import load_network as _load_network

if TYPE_CHECKING:  # a simulation does not import the comparison
    from hwsim.report.compare import Comparison


def load_arch(arch: str | Path | dict[str, Any] | ArchSpec, *, overrides: dict[str, Any] | None = None) -> ArchSpec:
    """An accelerator spec from a preset name, a file path, a dict (a YAML file's contents) or a
    spec object (returned as it is, or with ``overrides`` applied); ``overrides``: dotted keys."""
    from hwsim.spec.arch import arch_from_data
    from hwsim.spec.base import spec_data

    if isinstance(arch, (str, Path)):
        return load_arch_spec(str(arch), overrides)
    if isinstance(arch, dict) or isinstance(arch, ArchSpec):
        if not overrides and not isinstance(arch, dict):
            return arch
        data = arch if isinstance(arch, dict) else spec_data(arch)
        return arch_from_data(data, "arch dict", overrides)
    raise SimulationError(f"arch: expected a preset name, a path, a dict or a spec, got {type(arch).__name__}")


def load_network(model: str | Path | dict[str, Any], *, overrides: dict[str, Any] | None = None,
                 **workload: Any) -> Any:
    """A workload from the zoo, a file (YAML, ONNX, SCALE-Sim CSV) or a dict (a model file's
    contents); keyword arguments set workload options.

    For ``hwsim.model/1`` networks ``weight_sparsity``, ``seed``, ``weights_file`` and
    ``act_bits`` are accepted; other workload kinds document their own options.
    """
    merged = {**(overrides or {}), **workload}
    if isinstance(model, dict):
        from hwsim.workload.zoo import load_network_mapping

        return load_network_mapping(model, merged, Path.cwd() / "model dict")
    if not isinstance(model, (str, Path)):
        raise SimulationError(f"model: expected a zoo name, a path or a dict, got {type(model).__name__}")
    return _load_network(str(model), merged)


def map_network(workload: Any, arch: ArchSpec, *, objective: str = "edp", budget: int | None = None,
                seed: int = 0, progress: Any = None, workers: int = 1) -> Any:
    """The mapper's best loop nest for every conv, linear and attention layer (a ``NetworkMapping``)."""
    from hwsim.mapping.network import DEFAULT_BUDGET
    from hwsim.mapping.network import map_network as _map_network
    from hwsim.spec.enums import Objective

    return _map_network(workload, arch, objective=Objective(objective), budget=budget or DEFAULT_BUDGET,
                        seed=seed, progress=progress, workers=workers)


def default_mapping(workload: Any, arch: ArchSpec) -> Any:
    """The loop nests an engine that takes them gets when the user gives none (None otherwise).

    The engine's own choice (``Engine.default_mapping``: its objective and budget, or None where
    the spec takes no loop nest).
    """
    engine = ENGINE_BY_FAMILY.get(Family(arch.family))
    if engine is None or engine.default_mapping is None:
        return None
    return engine.default_mapping()(workload, arch)


def simulate(workload: Any, arch: Any, *, mapping: Any = None) -> Report:
    """Simulate ``workload`` on ``arch`` with the engine of the arch's family and price it.

    Either may be given as anything :func:`load_network` / :func:`load_arch` take (a zoo or
    preset name, a path, a dict) or as the loaded object:
    ``simulate("resnet18", "fat")`` works in a notebook.

    ``mapping`` is a ``hwsim.mapping/1`` file path, a ``NetworkMapping`` of loop nests or an IMC
    ``NetworkTilings``.  An engine that takes loop nests gets them, or :func:`default_mapping`
    when none is given; an engine that takes tilings runs them, or searches its own.  Loop nests
    given to an engine that schedules layers itself are reported next to its numbers
    (``loopnest*`` fields of each layer).
    """
    from hwsim.engines import MappingKind

    if not hasattr(arch, "family"):
        arch = load_arch(arch)
    if isinstance(workload, (str, Path, dict)):
        workload = load_network(workload)
    family = Family(arch.family)
    engine = ENGINE_BY_FAMILY.get(family)
    if engine is None:
        raise SimulationError(f"arch '{arch.name}': family '{family.value}' has no engine in this hwsim version")
    source = "mapper"
    if mapping is not None and not hasattr(mapping, "layers") and not hasattr(mapping, "tilings"):
        from hwsim.mapping.mapfile import read_mapping_file

        source = str(mapping)
        mapping = read_mapping_file(mapping, workload, arch)
    simulate_network = engine.load()
    nests = mapping if hasattr(mapping, "layers") else None
    if engine.mapping is MappingKind.LOOP_NEST:
        if hasattr(mapping, "tilings"):
            raise SimulationError(f"arch '{arch.name}' ({family.value}) takes loop nests, not IMC tilings")
        nests = mapping if mapping is not None else default_mapping(workload, arch)
        report = simulate_network(workload, arch, mapping=nests)
    elif engine.mapping is MappingKind.TILING and hasattr(mapping, "tilings"):
        report = simulate_network(workload, arch, mapping=mapping)
    else:
        if hasattr(mapping, "tilings"):
            raise SimulationError(f"arch '{arch.name}' ({family.value}) schedules its layers itself: IMC tilings "
                                  "do not apply")
        report = simulate_network(workload, arch)
    if nests is None or not isinstance(report, Report):
        return report
    from hwsim.mapping.annotate import annotate_report

    return annotate_report(report, nests, source)


def compare(ours: Report, baseline: Report) -> Comparison:
    """Per-layer and total ratios of ``ours`` over ``baseline`` (> 1: ours better)."""
    from hwsim.report.compare import compare as _compare

    return _compare(ours, baseline)


def compare_designs(workload: Any, ours: Any, baseline: Any) -> Comparison:
    """Simulate ``workload`` on both designs and compare them, each with its best mapping.

    Where both designs are of one family that can run a design with another's mapping, the
    comparison also holds its split (``Comparison.split``): ``ours`` on the baseline's mapping
    against the baseline (the architectural gain) and ``ours`` on its own mapping against that
    (the mapping gain).
    """
    if isinstance(workload, (str, Path, dict)):
        workload = load_network(workload)
    ours, baseline = (spec if hasattr(spec, "family") else load_arch(spec) for spec in (ours, baseline))
    ours_report, base_report = simulate(workload, ours), simulate(workload, baseline)
    comparison = compare(ours_report, base_report)
    engine = ENGINE_BY_FAMILY.get(Family(ours.family))
    if ours.family != baseline.family or engine is None or engine.replay_mapping_of is None:
        return comparison
    return comparison.with_split(engine.replay_mapping_of()(workload, ours, base_report))


def sweep(sweep_file: str | Path, out: str | Path, *, resume: bool = False, workers: int | None = None,
          executor: str = "local", scheduler: str | None = None, progress: bool = False) -> Any:
    """Run a ``hwsim.sweep/1`` file into a results store, as ``hwsim sweep`` does (a ``SweepSummary``).

    ``executor`` is ``"local"`` (a process pool of ``workers``) or ``"dask"`` (``scheduler``'s
    cluster, or a local one); ``resume`` continues a store; ``progress`` prints progress to stderr.
    """
    import sys

    from hwsim.dse.executors import ExecutorKind
    from hwsim.dse.runner import SweepOptions, run_sweep

    options = SweepOptions(resume=resume, executor=ExecutorKind(executor), workers=workers, scheduler=scheduler)
    return run_sweep(Path(sweep_file), Path(out), options, sys.stderr if progress else None)
