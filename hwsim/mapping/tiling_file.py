"""IMC tilings in a mapping file: what ``hwsim map`` writes for an IMC arch and ``--mapping`` replays.

The IMC engine searches its own tiling of each weighted layer (``hwsim.mapping.imc``); a
``hwsim.mapping/1`` file can pin them, one entry per layer with the tiling's free choices::

    schema: hwsim.mapping/1
    model: resnet18
    arch: fat
    layers:
      - name: conv1
        tiling: {data_mapping: combined_stationary, chunk_len: 40, chunks_per_part: 3, k_per_group: 8}
        latency_cycles: 12345.0     # written by hwsim map (the engine's count); ignored on reading
        energy_pj: 678.0

Every other field of the tiling follows from these and the layer (``tiling_of``), and is
checked against the arch.  Layers the file does not list are searched as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml

from hwsim.errors import MappingError
from hwsim.mapping.imc import ImcMapping, NetworkTilings, tiling_of
from hwsim.report.files import write_text_atomic
from hwsim.report.model import Report
from hwsim.spec.base import StrictSpec
from hwsim.spec.enums import DataMapping
from hwsim.spec.loading import validate
from hwsim.workload.layers import WEIGHTED_KINDS

if TYPE_CHECKING:  # the annotations' constraints, resolved when a file is validated (hwsim.spec.loading)
    from annotated_types import Ge, MinLen, doc

SCHEMA = "hwsim.mapping/1"


@dataclass(frozen=True, kw_only=True)
class TilingChoice(StrictSpec):
    data_mapping: DataMapping
    chunk_len: Annotated[int, Ge(1), doc("activations per column per chunk")]
    chunks_per_part: Annotated[int, Ge(1), doc("chunks summed in one part (combined-stationary)")] = 1
    k_per_group: Annotated[int, Ge(1), doc("output channels per unit (combined-stationary)")] = 1


@dataclass(frozen=True, kw_only=True)
class TilingLayer(StrictSpec):
    name: Annotated[str, MinLen(1)]
    tiling: TilingChoice
    latency_cycles: float | None = None
    energy_pj: float | None = None


@dataclass(frozen=True, kw_only=True)
class TilingFile(StrictSpec):
    schema_: Literal["hwsim.mapping/1"]
    model: str
    arch: str
    layers: list[TilingLayer]


def is_tiling_file(data: dict[str, Any]) -> bool:
    """True when a mapping file's entries are IMC tilings (not loop nests)."""
    layers = data.get("layers")
    return isinstance(layers, list) and any(isinstance(e, dict) and "tiling" in e for e in layers)


def read_tiling_file(path: Path, data: dict[str, Any], workload: Any, arch: Any) -> NetworkTilings:
    """The tilings of ``data`` (read from ``path``), each rebuilt and checked against ``workload`` on ``arch``."""
    from hwsim.mapping.mapfile import check_arch, entry_place

    spec = validate(TilingFile, data, str(path))
    check_arch(path, spec.arch, arch)
    layers = {layer.name: layer for layer in getattr(workload, "layers", ()) if layer.kind in WEIGHTED_KINDS}
    out: dict[str, ImcMapping] = {}
    for entry in spec.layers:
        entry_place(path, entry.name, layers, out, workload, "weighted")
        layer = layers[entry.name]
        group = layer if layer.G == 1 else replace(layer, G=1)
        choice = entry.tiling
        try:
            out[entry.name] = tiling_of(group, arch, choice.data_mapping, choice.chunk_len, choice.chunks_per_part,
                                        choice.k_per_group, source="file")
        except MappingError as exc:
            raise MappingError(f"{path}: {exc}") from None
    return NetworkTilings(model=spec.model, arch=spec.arch, tilings=out)


def tilings_to_dict(tilings: NetworkTilings, report: Report) -> dict[str, Any]:
    """The ``hwsim.mapping/1`` form of ``tilings``, each with the engine's count from ``report``."""
    rows = {layer.name: layer for layer in report.layers}
    layers = []
    for name, m in tilings.tilings.items():
        choice = {"data_mapping": m.data_mapping.value, "chunk_len": m.chunk_len}
        if m.data_mapping is DataMapping.COMBINED_STATIONARY:
            choice.update(chunks_per_part=m.chunks_per_part, k_per_group=m.k_per_group)
        layers.append({"name": name, "tiling": choice, "latency_cycles": float(rows[name].cycles),
                       "energy_pj": float(rows[name].energy_pj)})
    return {"schema": SCHEMA, "model": tilings.model, "arch": tilings.arch, "layers": layers}


def tiling_file_text(tilings: NetworkTilings, report: Report) -> str:
    """``tilings`` as the text of a ``hwsim.mapping/1`` YAML file."""
    return yaml.safe_dump(tilings_to_dict(tilings, report), sort_keys=False, default_flow_style=None, width=120)


def write_tiling_file(path: Path, tilings: NetworkTilings, report: Report) -> None:
    """Write ``tilings`` as a ``hwsim.mapping/1`` YAML file."""
    write_text_atomic(Path(path), tiling_file_text(tilings, report))
