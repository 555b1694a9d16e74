"""Load an accelerator spec by preset name or YAML path, with ``--set`` overrides.

The ``family`` key selects the spec class.  Families not yet modelled are rejected with a
clear message rather than half-validated.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Union

from hwsim.errors import SpecError
from hwsim.spec.enums import Family
from hwsim.spec.imc import ImcSpec
from hwsim.spec.loading import apply_override, read_yaml_mapping, validate

ArchSpec = Union[ImcSpec]

_SPEC_BY_FAMILY: dict[Family, type] = {Family.IMC: ImcSpec}


def preset_names() -> list[str]:
    """Names of the accelerators shipped with hwsim."""
    root = resources.files("hwsim.presets")
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def resolve_arch_path(name_or_path: str) -> Path:
    """A preset name becomes its packaged YAML; anything else must be an existing file."""
    if name_or_path in preset_names():
        return Path(str(resources.files("hwsim.presets") / f"{name_or_path}.yaml"))
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists() or "/" in name_or_path:
        if not path.exists():
            raise SpecError(f"{path}: file not found")
        return path
    raise SpecError(
        f"unknown arch '{name_or_path}': not a preset ({', '.join(preset_names())}) nor a YAML file"
    )


def load_arch_spec(name_or_path: str, overrides: dict[str, Any] | None = None) -> ArchSpec:
    """Read, override and validate an accelerator spec.

    Parameters
    ----------
    name_or_path
        A preset name (``hwsim list archs``) or a path to a YAML file.
    overrides
        Dotted key paths to values, applied before validation (``--set``).
    """
    path = resolve_arch_path(name_or_path)
    data = read_yaml_mapping(path)
    origin = str(path) if path.parent.name != "presets" else f"preset '{name_or_path}'"
    for key, value in (overrides or {}).items():
        data = apply_override(data, key, value, origin)
    family_raw = data.get("family")
    try:
        family = Family(family_raw)
    except ValueError:
        choices = ", ".join(f.value for f in Family)
        raise SpecError(f"{origin}: key 'family' = {family_raw!r}: expected one of {choices}") from None
    spec_class = _SPEC_BY_FAMILY.get(family)
    if spec_class is None:
        raise SpecError(f"{origin}: family '{family.value}' is not modelled yet by this hwsim version")
    return validate(spec_class, data, origin)
