"""The strict base of the specs a simulation reads: frozen dataclasses that pydantic validates.

An accelerator spec or a model file is a tree of frozen dataclasses whose fields carry their
constraints as ``annotated_types`` metadata (``Annotated[int, Gt(0), Le(64)]``) and their
meaning as ``doc(...)``.  :func:`hwsim.spec.loading.validate` builds pydantic's validator from
those annotations the first time a class is validated; the classes themselves never import
pydantic, so a run that reads a packaged preset it has validated before
(:mod:`hwsim.spec.packaged_yaml`) does not pay pydantic's import and schema building.

Checks across fields run in ``__post_init__``, so a spec built in code is checked like one read
from YAML; they raise :class:`FieldValueError` to name the key they refuse.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

if TYPE_CHECKING:  # the annotations' constraints, resolved when a spec is validated (hwsim.spec.loading)
    from annotated_types import Ge, MinLen, doc


def yaml_key(field_name: str) -> str:
    """The YAML key of a field: its name without the ``_`` that keeps it off a Python keyword
    (``global_``) or a builtin's name (``schema_``)."""
    return field_name[:-1] if field_name.endswith("_") else field_name


# pydantic's ConfigDict, as a plain dict so that defining a spec does not import pydantic:
# unknown keys rejected, no silent coercion in JSON mode, no .inf or .nan where a quantity goes.
SPEC_CONFIG: dict[str, Any] = {"extra": "forbid", "strict": False, "allow_inf_nan": False,
                               "alias_generator": yaml_key}


class FieldValueError(ValueError):
    """A check in ``__post_init__`` that refuses the value of one key (``key``, dotted from the
    class that raises it); validation reports it at that key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, kw_only=True)
class StrictSpec:
    """Base of every spec class: frozen, keyword-only, validated by pydantic on load."""

    __pydantic_config__ = SPEC_CONFIG


@dataclass(frozen=True, kw_only=True)
class EnergyEntry(StrictSpec):
    """The energy of one counted action (pJ) and where that number comes from.

    Every family's action table has this shape (``{pj, source}``); ``energy_pj``, the key the
    systolic tables used before, is still read (into ``pj``).
    """

    pj: Annotated[float, Ge(0.0)] | None = None
    source: Annotated[str, MinLen(1)]
    energy_pj: Annotated[float, Ge(0.0), doc("the older name of pj")] | None = field(
        default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.pj is None) == (self.energy_pj is None):
            raise FieldValueError("pj", "give the energy as 'pj' (or the older 'energy_pj'), once")
        if self.pj is None:
            object.__setattr__(self, "pj", self.energy_pj)
            object.__setattr__(self, "energy_pj", None)


def spec_data(spec: Any) -> Any:
    """A spec as the YAML data it validates from (JSON types, YAML keys, defaults included)."""
    if dataclasses.is_dataclass(spec) and not isinstance(spec, type):
        return {yaml_key(f.name): spec_data(getattr(spec, f.name)) for f in dataclasses.fields(spec)
                if not (isinstance(spec, EnergyEntry) and f.name == "energy_pj")}
    if isinstance(spec, Enum):
        return spec.value
    if isinstance(spec, (tuple, list)):
        return [spec_data(item) for item in spec]
    if isinstance(spec, dict):
        return {str(spec_data(k)): spec_data(v) for k, v in spec.items()}
    return spec


def check_family(spec: Any, family: Enum) -> None:
    """Refuse a spec of one family's class that names another family."""
    if spec.family is not family:
        raise FieldValueError("family", f"expected '{family.value}' for a {type(spec).__name__}")
