"""Design points: a sweep file expanded into (model, arch, parameter values), each with a stable key.

The key is a hash of what determines the result, (model, arch, parameters) as written in the
sweep file, so the same point gets the same key in every run, on every machine, in any order;
that is what lets ``--resume`` skip finished points and the store refuse duplicates.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from hwsim.dse.sweep_spec import MAX_POINTS, WORKLOAD_PREFIX, DesignSpec, ParamSpec, SweepSpec, file_sha256
from hwsim.errors import SpecError
from hwsim.spec.arch import resolve_arch_path
from hwsim.workload.zoo import resolve_model_path

# Draw attempts per wanted sample before giving up on finding distinct random points.
_DRAW_ATTEMPTS = 20


@dataclass(frozen=True)
class DesignPoint:
    """One simulation to run: a model on an accelerator with some fields overridden.

    ``parameters`` holds every swept key, sorted; keys starting with ``workload.`` are
    workload options, the others are arch spec key paths.  ``model_ref``/``arch_ref`` are what
    the loaders open (a zoo/preset name or an absolute path); ``model``/``arch`` are the names
    as written in the sweep file, which the key hashes.
    """

    key: str
    model: str
    design: str
    arch: str
    parameters: tuple[tuple[str, Any], ...]
    model_ref: str
    arch_ref: str
    model_sha256: str
    arch_sha256: str

    @property
    def arch_overrides(self) -> dict[str, Any]:
        return {k: v for k, v in self.parameters if not k.startswith(WORKLOAD_PREFIX)}

    @property
    def workload_overrides(self) -> dict[str, Any]:
        return {k[len(WORKLOAD_PREFIX):]: v for k, v in self.parameters if k.startswith(WORKLOAD_PREFIX)}


def point_key(model: str, arch: str, parameters: dict[str, Any]) -> str:
    """The stable hash (32 hex digits) of a design point."""
    text = json.dumps({"model": model, "arch": arch, "parameters": parameters},
                      sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def parameter_values(param: ParamSpec) -> tuple[Any, ...]:
    """The values of a list, range or log range (not of a random parameter)."""
    if param.values is not None:
        return param.values
    if param.range is not None:
        r = param.range
        count = int(math.floor((r.stop - r.start) / r.step + 1e-9)) + 1
        as_int = all(isinstance(v, int) for v in (r.start, r.stop, r.step))
        # Rounding keeps 0.1-steps from printing as 0.30000000000000004 and hashing differently.
        return tuple(r.start + i * r.step if as_int else round(r.start + i * r.step, 12) for i in range(count))
    if param.log_range is not None:
        lr = param.log_range
        integer = lr.integer if lr.integer is not None else isinstance(lr.start, int) and isinstance(lr.stop, int)
        raw = np.geomspace(lr.start, lr.stop, lr.num)
        values = [int(round(v)) for v in raw] if integer else [round(float(v), 12) for v in raw]
        return tuple(dict.fromkeys(values))  # rounding to ints can merge neighbours
    raise ValueError("a random parameter has no fixed list of values")


def grid_size(sweep: SweepSpec, design: DesignSpec) -> int:
    """The number of grid points of one design (per model)."""
    params = _design_params(sweep, design)
    return math.prod(len(parameter_values(p)) for p in params.values() if not p.is_random)


def expand_sweep(sweep: SweepSpec, base_dir: Path) -> list[DesignPoint]:
    """Every distinct design point of ``sweep``, in a deterministic order.

    Models and arch files are looked up relative to ``base_dir`` (the sweep file's folder)
    before the zoo and presets.  Designs with ``samples`` draw that many distinct random
    points with ``numpy.random.default_rng([seed, design index])``; the same hardware points
    are used for every model.
    """
    models = [(name, _resolve(name, base_dir, resolve_model_path)) for name in sweep.models]
    points: dict[str, DesignPoint] = {}
    for index, design in enumerate(sweep.designs):
        arch_ref = _resolve(design.arch, base_dir, resolve_arch_path)
        arch_sha = file_sha256(resolve_arch_path(arch_ref))
        combos = list(_design_combos(sweep, index, design))
        for model, model_ref in models:
            model_sha = file_sha256(resolve_model_path(model_ref))
            for combo in combos:
                params = dict(sorted(combo.items()))
                key = point_key(model, design.arch, params)
                points.setdefault(key, DesignPoint(key, model, design.name, design.arch, tuple(params.items()),
                                                   model_ref, arch_ref, model_sha, arch_sha))
                if len(points) > MAX_POINTS:
                    raise SpecError(f"sweep '{sweep.name}': more than {MAX_POINTS:,} points over all designs and "
                                    "models; use 'samples' or coarser ranges")
    return list(points.values())


def _design_params(sweep: SweepSpec, design: DesignSpec) -> dict[str, ParamSpec]:
    return {**design.parameters, **{WORKLOAD_PREFIX + k: v for k, v in sweep.workload.items()}}


def _design_combos(sweep: SweepSpec, index: int, design: DesignSpec) -> Iterator[dict[str, Any]]:
    params = _design_params(sweep, design)
    where = f"designs[{index}] ({design.name})"
    if design.samples is None:
        size = grid_size(sweep, design)
        if size * len(sweep.models) > MAX_POINTS:
            raise SpecError(f"sweep '{sweep.name}': {where} has {size:,} grid points per model, more than "
                            f"{MAX_POINTS:,}; use 'samples' or coarser ranges")
        names = list(params)
        for values in itertools.product(*(parameter_values(params[n]) for n in names)):
            yield dict(zip(names, values))
        return
    yield from _sample(params, design.samples, np.random.default_rng([sweep.seed, index]), where)


def _sample(params: dict[str, ParamSpec], wanted: int, rng: np.random.Generator, where: str) -> Iterator[dict[str, Any]]:
    """``wanted`` distinct random points: random parameters drawn, listed ones picked uniformly."""
    if not any(p.is_random for p in params.values()):
        size = math.prod(len(parameter_values(p)) for p in params.values())
        if wanted > size:
            raise SpecError(f"{where}: samples {wanted} exceeds the {size} points of its grid")
    seen: set[str] = set()
    for _ in range(wanted * _DRAW_ATTEMPTS):
        combo = {name: _draw(param, rng) for name, param in params.items()}
        token = json.dumps(combo, sort_keys=True)
        if token in seen:
            continue
        seen.add(token)
        yield combo
        if len(seen) == wanted:
            return
    raise SpecError(f"{where}: cannot draw {wanted} distinct points (got {len(seen)}); widen the intervals")


def _draw(param: ParamSpec, rng: np.random.Generator) -> Any:
    if param.uniform is None:
        values = parameter_values(param)
        return values[int(rng.integers(len(values)))]
    u = param.uniform
    if u.integer and not u.log:
        return int(rng.integers(math.ceil(u.low), math.floor(u.high) + 1))
    if u.log:
        value = math.exp(rng.uniform(math.log(u.low), math.log(u.high)))
    else:
        value = float(rng.uniform(u.low, u.high))
    if u.integer:
        return min(max(int(round(value)), math.ceil(u.low)), math.floor(u.high))
    return round(value, 12)


def _resolve(name: str, base_dir: Path, resolver) -> str:
    """A name relative to the sweep file if such a file exists there, else the name itself."""
    candidate = Path(base_dir) / name
    if candidate.is_file():
        return str(candidate.resolve())
    resolver(name)  # an unknown preset or missing file fails here, naming it
    return str(Path(name).resolve()) if Path(name).is_file() else name
