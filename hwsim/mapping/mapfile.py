"""Mapping files (YAML, schema ``hwsim.mapping/1``): what ``hwsim map`` writes and ``--mapping`` reads.

One entry per layer::

    schema: hwsim.mapping/1
    model: resnet18
    arch: fat
    objective: edp
    layers:
      - name: conv1
        dims: {N: 1, K: 64, C: 3, P: 112, Q: 112, R: 7, S: 7}   # and G (groups) when not 1
        stride: 2                          # or [rows, cols]; dilation: [rows, cols] when not 1
        spatial: {K: 64, C: 3, P: 16}      # unrolling across the PE array
        levels:                            # innermost first, the target's levels in order
          - {name: column, loops: {R: 7}}  # loops innermost first; absent dims have bound 1
          - {name: weight_buffer, loops: {S: 7, Q: 112, P: 7}}
          - {name: interconnect, loops: {}}
        cuts: {I: [0, 2]}                  # only on targets with per-operand cuts: per level below
                                           # the top, the next level's loops the operand's tile spans
        latency_cycles: 1234.0             # written by hwsim map; recomputed on reading
        energy_pj: 5678.0

Reading checks every entry against the workload and the arch's target: the layer exists,
its dims match, each dimension's factors multiply to its bound, the unrolling fits the array
and every tile fits its level.  Unknown keys are rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import yaml

from hwsim.errors import MappingError
from hwsim.mapping.loopnest.search import LoopNestMapping, evaluate, layer_bounds
from hwsim.mapping.loopnest.target import DIMS, NDIM, MappingTarget
from hwsim.mapping.network import (DEFAULT_BUDGET, LayerMapping, NetworkMapping, Progress, level_loops,
                                   map_network, mappable_layers)
from hwsim.mapping.targets import target_for
from hwsim.mapping.tiles import tile_words
from hwsim.report.files import write_text_atomic
from hwsim.spec.base import StrictSpec
from hwsim.spec.enums import Objective
from hwsim.spec.loading import read_yaml_mapping, validate

if TYPE_CHECKING:  # the annotations' constraints, resolved when a file is validated (hwsim.spec.loading)
    from annotated_types import Gt, MinLen, doc

SCHEMA = "hwsim.mapping/1"


@dataclass(frozen=True, kw_only=True)
class LevelEntry(StrictSpec):
    name: Annotated[str, MinLen(1)]
    loops: Annotated[dict[str, int], doc("dim -> bound, innermost first")] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LayerEntry(StrictSpec):
    name: Annotated[str, MinLen(1)]
    dims: dict[str, int]
    stride: Annotated[int | tuple[int, int], doc("rows and cols, or one int for both")] = 1
    dilation: Annotated[int | tuple[int, int], doc("rows and cols, or one int for both")] = 1
    spatial: dict[str, int] = field(default_factory=dict)
    levels: Annotated[list[LevelEntry], MinLen(1)]
    cuts: Annotated[dict[str, list[int]], doc("operand -> loops of the next level its tile spans, per level")] = field(default_factory=dict)
    latency_cycles: float | None = None
    energy_pj: float | None = None


@dataclass(frozen=True, kw_only=True)
class MappingFile(StrictSpec):
    schema_: Literal["hwsim.mapping/1"]
    model: str
    arch: str
    objective: Objective = Objective.EDP
    budget: Annotated[int, Gt(0)] | None = None
    seed: int | None = None
    layers: list[LayerEntry]


def mapping_to_dict(network: NetworkMapping) -> dict[str, Any]:
    """The ``hwsim.mapping/1`` form of ``network``."""
    layers = []
    for m in network.layers:
        layer = m.layer
        layers.append({
            "name": m.name,
            "dims": {d: int(v) for d, v in zip(DIMS, layer_bounds(layer)[0]) if d != "G" or v != 1},
            "stride": _pair_text(layer.stride),
            **({"dilation": _pair_text(layer.dilation)} if layer.dilation != (1, 1) else {}),
            "spatial": {d: f for d, f in zip(DIMS, m.mapping.spatial) if f > 1},
            "levels": [{"name": name, "loops": dict(loops)} for name, loops in level_loops(m)],
            **({"cuts": _cuts_entry(m)} if m.mapping.cuts else {}),
            "latency_cycles": float(m.mapping.latency_cycles),
            "energy_pj": float(m.mapping.energy_pj),
        })
    return {"schema": SCHEMA, "model": network.model, "arch": network.arch, "objective": network.objective.value,
            "budget": network.budget, "seed": network.seed, "layers": layers}


def mapping_file_text(network: NetworkMapping) -> str:
    """``network`` as the text of a ``hwsim.mapping/1`` YAML file."""
    return yaml.safe_dump(mapping_to_dict(network), sort_keys=False, default_flow_style=None, width=120)


def write_mapping_file(path: Path, network: NetworkMapping) -> None:
    """Write ``network`` as a ``hwsim.mapping/1`` YAML file."""
    write_text_atomic(Path(path), mapping_file_text(network))


def read_mapping_file(path: Path, workload: Any, arch: Any, *, progress: Progress | None = None) -> Any:
    """The loop nests of ``path`` (or its IMC tilings, :mod:`.tiling_file`), checked against ``workload`` on ``arch``.

    Mappable layers the file does not list are searched with the file's objective, budget
    and seed (the mapper's choice).

    Raises
    ------
    MappingError
        One sentence naming the file, the layer and the bad value.
    """
    path = Path(path)
    data = read_yaml_mapping(path, MappingError)
    if data.get("schema") != SCHEMA:
        raise MappingError(f"{path}: key 'schema' = {data.get('schema')!r}: expected '{SCHEMA}'")
    from hwsim.mapping.tiling_file import is_tiling_file, read_tiling_file

    if is_tiling_file(data):
        if getattr(arch, "family", None) != "imc":
            raise MappingError(f"{path}: holds IMC tilings; arch '{arch.name}' takes loop nests")
        try:
            return read_tiling_file(path, data, workload, arch)
        except MappingError:
            raise
        except Exception as exc:  # SpecError from the strict schema
            raise MappingError(_name_layer(str(exc), data)) from None
    try:
        spec = validate(MappingFile, data, str(path))
    except Exception as exc:  # SpecError from the strict schema; re-raised as a mapping error
        raise MappingError(_name_layer(str(exc), data)) from None
    check_arch(path, spec.arch, arch)
    layers = {layer.name: layer for layer in mappable_layers(workload, arch)}
    out: dict[str, LayerMapping] = {}
    for entry in spec.layers:
        where = entry_place(path, entry.name, layers, out, workload, "mappable")
        layer = layers[entry.name]
        out[entry.name] = _layer_mapping(entry, layer, target_for(arch, layer), where)
    return map_network(workload, arch, objective=spec.objective, budget=spec.budget or DEFAULT_BUDGET,
                       seed=spec.seed or 0, fixed=out, progress=progress)


def check_arch(path: Path, named: str, arch: Any) -> None:
    """A mapping file maps onto the arch it names."""
    if named != arch.name:
        raise MappingError(f"{path}: key 'arch' = '{named}': the file maps onto '{named}', not '{arch.name}'")


def entry_place(path: Path, name: str, layers: dict[str, Any], done: dict[str, Any], workload: Any, what: str) -> str:
    """``<file>: layer '<name>'`` for messages, once the entry names a ``what`` layer not mapped before."""
    where = f"{path}: layer '{name}'"
    if name not in layers:
        known = ", ".join(list(layers)[:6]) + (", ..." if len(layers) > 6 else "")
        raise MappingError(f"{where}: not a {what} layer of model '{getattr(workload, 'name', '')}' ({known})")
    if name in done:
        raise MappingError(f"{where}: mapped twice")
    return where


def _layer_mapping(entry: LayerEntry, layer, target: MappingTarget, where: str) -> LayerMapping:
    bounds, window = layer_bounds(layer)
    for d, value in entry.dims.items():
        if d not in DIMS:
            raise MappingError(f"{where}: dims.{d}: not a loop dimension (expected {', '.join(DIMS)})")
        if value != bounds[DIMS.index(d)]:
            raise MappingError(f"{where}: dims.{d} = {value}, but the layer has {d} = {bounds[DIMS.index(d)]}")
    for key, given, actual in (("stride", entry.stride, layer.stride), ("dilation", entry.dilation, layer.dilation)):
        pair = (given, given) if isinstance(given, int) else tuple(given)
        if pair != actual:
            raise MappingError(f"{where}: {key} = {_pair_text(pair)}, but the layer has {key} {_pair_text(actual)}")
    names = [level.name for level in target.levels]
    if [level.name for level in entry.levels] != names:
        got = [level.name for level in entry.levels]
        raise MappingError(f"{where}: levels {got} do not match target '{target.name}' levels {names}")
    spatial = np.ones(NDIM, dtype=np.int64)
    for d, f in entry.spatial.items():
        _check_loop(d, f, "spatial", where)
        if d not in target.row_dims + target.col_dims:
            raise MappingError(f"{where}: spatial.{d} = {f}, but target '{target.name}' unrolls only "
                               f"rows ({', '.join(target.row_dims) or '-'}) and cols ({', '.join(target.col_dims) or '-'})")
        spatial[DIMS.index(d)] = f
    factors = np.ones((len(names), NDIM), dtype=np.int64)
    orders = np.tile(np.arange(NDIM), (len(names), 1))
    for li, level in enumerate(entry.levels):
        listed = []
        for d, f in level.loops.items():
            _check_loop(d, f, f"level '{level.name}' loop", where)
            factors[li, DIMS.index(d)] = f
            listed.append(DIMS.index(d))
        orders[li] = listed + [d for d in range(NDIM) if d not in listed]
    for d in range(NDIM):
        product = int(spatial[d] * np.prod(factors[:, d]))
        if product != bounds[d]:
            parts = " x ".join([f"spatial {spatial[d]}"] + [f"{n} {factors[i, d]}" for i, n in enumerate(names)])
            raise MappingError(f"{where}: {DIMS[d]} factors multiply to {product} ({parts}), "
                               f"the layer has {DIMS[d]} = {bounds[d]}")
    for axis, dims, size in (("rows", target.row_dims, target.rows), ("cols", target.col_dims, target.cols)):
        fan = int(np.prod([spatial[DIMS.index(d)] for d in dims])) if dims else 1
        if fan > size:
            unrolled = " x ".join(f"{d}{spatial[DIMS.index(d)]}" for d in dims if spatial[DIMS.index(d)] > 1)
            raise MappingError(f"{where}: spatial unrolling {unrolled}"
                               f" = {fan} exceeds the {size} array {axis} of target '{target.name}'")
    cuts = _read_cuts(entry, target, where)
    for li, level in enumerate(target.levels[:-1]):
        used = tile_words(bounds, window, factors, spatial, li, level.holds, target.operand_scale,
                          orders=orders, cuts=cuts) * (2 if level.double_buffered else 1)
        if used > level.capacity_words:
            raise MappingError(f"{where}: level '{level.name}' tile of {used:,.0f} words exceeds its capacity of "
                               f"{level.capacity_words:,.0f} words")
    lat, energy, valid = evaluate(layer, target, factors[None], spatial[None], orders[None], cuts[None])
    if not valid[0]:  # every check above passed, so the cost model must agree
        raise AssertionError(f"{where}: mapping rejected by the cost model after passing the file checks")
    mapping = LoopNestMapping.of_arrays(factors, spatial, orders, cuts, latency_cycles=float(lat[0]),
                                        energy_pj=float(energy[0]), evaluated=1, valid=1, exhaustive=False,
                                        seconds=0.0)
    return LayerMapping(layer, target, mapping, searched=False)


def _cuts_entry(m: LayerMapping) -> dict[str, list[int]]:
    """The mapping's per-operand cuts counted in the loops the file lists (bound > 1), per operand that moves one."""
    out = {}
    for x, name in enumerate("WIO"):
        row = [len(m.mapping.spanned(x, level)) for level in range(len(m.mapping.factors) - 1)]
        if any(row):
            out[name] = row
    return out


def _read_cuts(entry: LayerEntry, target: MappingTarget, where: str) -> np.ndarray:
    """``entry.cuts`` as (3, levels - 1), checked against the target and the loops each level lists."""
    cuts = np.zeros((3, len(target.levels) - 1), dtype=np.int64)
    if entry.cuts and not target.per_operand_cuts:
        raise MappingError(f"{where}: cuts given, but target '{target.name}' has one cut per level")
    for name, row in entry.cuts.items():
        if name not in ("W", "I", "O"):
            raise MappingError(f"{where}: cuts.{name}: not an operand (expected W, I or O)")
        x = "WIO".index(name)
        if len(row) != cuts.shape[1]:
            raise MappingError(f"{where}: cuts.{name} has {len(row)} entries, the target has {cuts.shape[1]} "
                               "levels below the top")
        for level, span in enumerate(row):
            listed = len(entry.levels[level + 1].loops)
            if span and not target.levels[level].holds[x]:
                raise MappingError(f"{where}: cuts.{name}[{level}] = {span}, but level "
                                   f"'{target.levels[level].name}' does not hold {name}")
            if not 0 <= span <= listed:
                raise MappingError(f"{where}: cuts.{name}[{level}] = {span} must be in [0, {listed}], the loops "
                                   f"level '{entry.levels[level + 1].name}' lists")
            cuts[x, level] = span
    return cuts


def _pair_text(pair: tuple[int, int]) -> int | list[int]:
    """One int when rows and cols agree, else [rows, cols] (the file's two forms)."""
    return pair[0] if pair[0] == pair[1] else [pair[0], pair[1]]


def _check_loop(d: str, f: int, what: str, where: str) -> None:
    if d not in DIMS:
        raise MappingError(f"{where}: {what} '{d}' is not a loop dimension (expected {', '.join(DIMS)})")
    if f < 1:
        raise MappingError(f"{where}: {what} {d} = {f} must be a positive integer")


def _name_layer(message: str, data: dict) -> str:
    """Point a schema error at ``layers[i]`` to the layer's name as well."""
    import re

    match = re.search(r"'layers\[(\d+)\]", message)
    layers = data.get("layers")
    if match and isinstance(layers, list) and int(match.group(1)) < len(layers):
        entry = layers[int(match.group(1))]
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            return f"{message} (layer '{entry['name']}')"
    return message
