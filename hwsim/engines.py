"""Which engine simulates which accelerator family: one typed table a reader can follow.

Each entry's loader imports its engine module directly when the family is first used (so a
run pays only for the engine it needs: the SNN engine alone takes 0.17 s to import), and says
whether the engine takes loop nests.  Families without an entry have no engine in this
hwsim version.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from hwsim.report.model import Report
from hwsim.spec.enums import Family

SimulateFn = Callable[..., Report]


class MappingKind(str, Enum):
    """What an engine takes as its mapping (``simulate_network(..., mapping=...)``)."""

    LOOP_NEST = "loop_nest"   # a NetworkMapping of loop nests (hwsim map searches them)
    TILING = "tiling"         # per-layer tilings of the engine's own mapper (IMC)


@dataclass(frozen=True)
class Engine:
    """How to reach a family's engine.

    ``load`` returns ``simulate_network(workload, spec[, mapping=...]) -> Report``; ``mapping``
    says what the engine takes as its mapping (None: it schedules every layer itself).
    ``default_mapping``, where the engine takes loop nests, returns the nests it uses when the
    user gives none (``(workload, spec) -> NetworkMapping | None``); an engine that takes
    tilings searches them itself when given none.  ``replay_mapping_of``,
    where the family can run one design with another's mapping, returns a function that does
    it (``hwsim compare`` splits a ratio into architecture and mapping with it).
    """

    load: Callable[[], SimulateFn]
    mapping: MappingKind | None = None
    default_mapping: Callable[[], Callable[[Any, Any], Any]] | None = None
    # (workload, spec, baseline report) -> the workload on ``spec`` with the baseline's mapping
    replay_mapping_of: Callable[[], Callable[[Any, Any, Report], Report]] | None = None


def _imc() -> SimulateFn:
    from hwsim.sim.imc.network import simulate_network

    return simulate_network


def _imc_replay() -> Callable[[Any, Any, Report], Report]:
    from hwsim.sim.imc.network import layer_data_mappings, simulate_network

    def replay(network: Any, spec: Any, baseline: Report) -> Report:
        return simulate_network(network, spec, data_mappings=layer_data_mappings(baseline))

    return replay


def _systolic() -> SimulateFn:
    from hwsim.sim.systolic.network import simulate_network

    return simulate_network


def _systolic_default_mapping() -> Callable[[Any, Any], Any]:
    from hwsim.sim.systolic.network import default_mapping

    return default_mapping


def _snn() -> SimulateFn:
    from hwsim.sim.snn.network import simulate_network

    return simulate_network


def _attention() -> SimulateFn:
    from hwsim.sim.attention.network import simulate_network

    return simulate_network


def _roofline() -> SimulateFn:
    from hwsim.sim.roofline.network import simulate_network

    return simulate_network


ENGINE_BY_FAMILY: dict[Family, Engine] = {
    Family.IMC: Engine(_imc, mapping=MappingKind.TILING, replay_mapping_of=_imc_replay),
    Family.SYSTOLIC: Engine(_systolic, mapping=MappingKind.LOOP_NEST, default_mapping=_systolic_default_mapping),
    Family.SNN: Engine(_snn),
    Family.ATTENTION: Engine(_attention),
    Family.ROOFLINE: Engine(_roofline),
}
