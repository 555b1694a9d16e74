"""The sweep file (schema ``hwsim.sweep/1``): models, designs, parameters, constraints, objectives.

::

    schema: hwsim.sweep/1
    name: resnet18-imc
    models: [resnet18]                       # zoo names or model files
    workload: {weight_sparsity: [0.6, 0.8]}  # workload options, for every design
    seed: 0                                  # seeds every random parameter
    designs:                                 # one or more accelerators (preset or YAML file)
      - arch: fat
        parameters: {banks: [4, 8], subarray.rows: [256, 512]}
      - arch: systolic-32x32-ws
        label: systolic
        samples: 50                          # 50 random points instead of the grid
        parameters:
          array.rows: {log_range: {start: 8, stop: 128, num: 5}}
          clock_mhz: {uniform: {low: 500, high: 1000}}
    constraints: ["area_mm2 <= 20", "accuracy_proxy >= 0.2"]
    objectives: {latency: minimize, energy: minimize}

A parameter is a dotted key path exactly as ``--set`` takes it (``subarray.rows``; workload
options under ``workload.``) and a set of values, written as one of::

    subarray.rows: [256, 512]                                  # a list (a scalar is a list of one)
    clock_mhz: {range: {start: 200, stop: 1000, step: 200}}    # stop is included
    banks: {log_range: {start: 2, stop: 64, num: 6}}           # geometric; ints stay ints
    workload.weight_sparsity: {uniform: {low: 0.5, high: 0.9}} # random; needs `samples`

The file is validated strictly: an unknown key, an empty range or constraints that no value
can satisfy raise a ``SpecError`` naming the file and the key.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hwsim.dse.metrics import Goal, Metric, parse_metric
from hwsim.errors import SpecError
from hwsim.input_files import sha256_of_file
from hwsim.spec.base import SPEC_CONFIG
from hwsim.spec.loading import format_validation_error, read_yaml_mapping

SCHEMA = "hwsim.sweep/1"
WORKLOAD_PREFIX = "workload."
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*$")
_CONSTRAINT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(<=|>=)\s*(\S+)\s*$")
# A sweep larger than this is almost certainly a typo (a step of 1 instead of 100): a million
# points take days to simulate, and seconds just to expand and hash.
MAX_POINTS = 1_000_000


class StrictModel(BaseModel):
    """A sweep file's sections: pydantic models (unlike the specs of hwsim.spec.base, which are
    dataclasses), because their shorthands (a bare list for ``values``, ``"area_mm2 <= 10"`` for
    a constraint) are rewritten by before-validators; as strict as the specs otherwise."""

    model_config = ConfigDict(**SPEC_CONFIG, frozen=True)


class RangeSpec(StrictModel):
    """Evenly spaced values from ``start`` to ``stop`` (included) by ``step``."""

    start: float | int
    stop: float | int
    step: float | int = Field(gt=0)

    @model_validator(mode="after")
    def _not_empty(self) -> "RangeSpec":
        if self.start > self.stop:
            raise ValueError(f"the range is empty (start {self.start} > stop {self.stop})")
        if (self.stop - self.start) / self.step >= MAX_POINTS:
            raise ValueError(f"the range has more than {MAX_POINTS:,} values (step {self.step})")
        return self


class LogRangeSpec(StrictModel):
    """``num`` values spaced geometrically from ``start`` to ``stop`` (both included)."""

    start: float | int = Field(gt=0)
    stop: float | int = Field(gt=0)
    num: int = Field(ge=1, le=100_000)
    integer: bool | None = Field(default=None, description="round to ints; default: start and stop are ints")

    @model_validator(mode="after")
    def _not_empty(self) -> "LogRangeSpec":
        if self.start > self.stop:
            raise ValueError(f"the log range is empty (start {self.start} > stop {self.stop})")
        return self


class UniformSpec(StrictModel):
    """Random values drawn uniformly in [low, high] (in log space when ``log``)."""

    low: float | int
    high: float | int
    log: bool = False
    integer: bool = False

    @model_validator(mode="after")
    def _not_empty(self) -> "UniformSpec":
        if self.low > self.high:
            raise ValueError(f"the interval is empty (low {self.low} > high {self.high})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log-uniform interval needs low > 0, got {self.low}")
        if self.integer and math.ceil(self.low) > math.floor(self.high):
            raise ValueError(f"the interval [{self.low}, {self.high}] holds no integer")
        return self


class ParamSpec(StrictModel):
    """Exactly one way of giving the values of one parameter."""

    values: tuple[Any, ...] | None = None
    range: RangeSpec | None = None
    log_range: LogRangeSpec | None = None
    uniform: UniformSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # A before-validator hands pydantic Python objects, which strict mode checks by type:
        # lists must become the tuples the fields declare.
        if isinstance(data, (list, tuple)):
            return {"values": tuple(data)}
        if not isinstance(data, dict):
            return {"values": (data,)}
        if isinstance(data.get("values"), list):
            return {**data, "values": tuple(data["values"])}
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> "ParamSpec":
        given = [name for name in ("values", "range", "log_range", "uniform") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of values, range, log_range, uniform (got {given or 'none'})")
        if self.values is not None and len(self.values) == 0:
            raise ValueError("the list of values is empty")
        for value in self.values or ():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"the value {value} is not a finite number")
        return self

    @property
    def is_random(self) -> bool:
        return self.uniform is not None


class ConstraintSpec(StrictModel):
    """``metric <= value`` or ``metric >= value``; written in YAML as ``"area_mm2 <= 10"``."""

    metric: Metric
    op: Literal["<=", ">="]
    value: float

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if not isinstance(data, str):
            return data
        match = _CONSTRAINT.match(data)
        if not match:
            raise ValueError("expected 'METRIC <= VALUE' or 'METRIC >= VALUE'")
        try:
            value = float(match.group(3))
        except ValueError:
            raise ValueError(f"{match.group(3)!r} is not a number") from None
        return {"metric": parse_metric(match.group(1)), "op": match.group(2), "value": value}

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"the bound {value} is not a finite number")
        return value

    def holds(self, measured: float) -> bool:
        """True when ``measured`` satisfies the constraint (NaN never does)."""
        return measured <= self.value if self.op == "<=" else measured >= self.value

    def __str__(self) -> str:
        return f"{self.metric.value} {self.op} {self.value:g}"


class DesignSpec(StrictModel):
    """One accelerator (preset name or YAML path) and the parameters swept on it."""

    arch: str = Field(min_length=1)
    label: str | None = Field(default=None, description="shown in tables and plots; default: arch")
    parameters: dict[str, ParamSpec] = Field(default_factory=dict)
    samples: int | None = Field(default=None, gt=0, le=MAX_POINTS, description="random points instead of the grid")

    @field_validator("parameters")
    @classmethod
    def _keys(cls, value: dict[str, ParamSpec]) -> dict[str, ParamSpec]:
        for key in value:
            if not _KEY.match(key):
                raise ValueError(f"parameter key {key!r} is not a dotted key path")
        return value

    @property
    def name(self) -> str:
        return self.label or self.arch


class SweepSpec(StrictModel):
    """A whole sweep: every model x every design x its parameters x the workload parameters."""

    schema_: Literal["hwsim.sweep/1"] = Field(alias="schema")
    name: str = Field(min_length=1)
    description: str = ""
    models: tuple[str, ...] = Field(min_length=1)
    designs: tuple[DesignSpec, ...] = Field(min_length=1)
    workload: dict[str, ParamSpec] = Field(default_factory=dict, description="keys without 'workload.'")
    seed: int = Field(default=0, ge=0, description="seeds every random parameter")
    constraints: tuple[ConstraintSpec, ...] = ()
    objectives: dict[Metric, Goal] = Field(default_factory=dict)

    @field_validator("models", mode="before")
    @classmethod
    def _one_model(cls, value: Any) -> Any:
        if isinstance(value, str):
            return (value,)
        return tuple(value) if isinstance(value, list) else value

    @field_validator("designs", "constraints", mode="before")
    @classmethod
    def _tuple(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @field_validator("objectives", mode="before")
    @classmethod
    def _objective_aliases(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[Metric, Goal] = {}
        for key, goal in value.items():
            try:
                out[parse_metric(str(key))] = Goal(goal)
            except ValueError:
                raise ValueError(f"objective {key!r}: expected 'minimize' or 'maximize', got {goal!r}") from None
        return out

    @field_validator("objectives")
    @classmethod
    def _two_or_three(cls, value: dict[Metric, Goal]) -> dict[Metric, Goal]:
        if value and not 2 <= len(value) <= 3:
            raise ValueError(f"give 2 or 3 objectives for a Pareto front, got {len(value)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "SweepSpec":
        for key in self.workload:
            if not _KEY.match(key):
                raise ValueError(f"workload parameter key {key!r} is not a dotted key path")
        for index, design in enumerate(self.designs):
            merged = {**design.parameters, **{WORKLOAD_PREFIX + k: p for k, p in self.workload.items()}}
            random = [k for k, p in merged.items() if p.is_random]
            if random and design.samples is None:
                raise ValueError(f"designs[{index}] ({design.name}): random parameter '{random[0]}' needs 'samples'")
            clash = {WORKLOAD_PREFIX + k for k in self.workload} & set(design.parameters)
            if clash:
                raise ValueError(f"designs[{index}] ({design.name}): '{sorted(clash)[0]}' is also in 'workload'")
        _check_constraints(self.constraints)
        return self


def _check_constraints(constraints: tuple[ConstraintSpec, ...]) -> None:
    """Reject constraints that no value can satisfy together (``x <= 1`` and ``x >= 2``)."""
    for upper in constraints:
        for lower in constraints:
            if upper.op == "<=" and lower.op == ">=" and upper.metric is lower.metric and lower.value > upper.value:
                raise ValueError(f"constraints '{lower}' and '{upper}' contradict: no value satisfies both")


def load_sweep(path: Path) -> SweepSpec:
    """Read and validate a sweep file; errors name ``path`` and the key."""
    path = Path(path)
    data = read_yaml_mapping(path)
    try:
        return SweepSpec.model_validate_json(json.dumps(data, default=str), strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:
            # A whole-file check (contradicting constraints) has no key path to name.
            raise SpecError(f"{path}: {first['msg'].removeprefix('Value error, ')}") from None
        raise SpecError(format_validation_error(exc, str(path))) from None


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (provenance of specs and sweep files)."""
    return sha256_of_file(path, what="spec or model file", error=SpecError)
