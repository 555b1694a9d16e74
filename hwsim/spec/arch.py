"""Load an accelerator spec by preset name or file path, with ``--set`` overrides.

The ``family`` key of a YAML spec selects the spec class; other file formats (a SCALE-Sim
``.cfg``) have their own readers.  Each family's spec class lives in its own module, found
through ``SPEC_CLASS_BY_FAMILY``; a family whose module is absent is rejected clearly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hwsim.errors import SpecError
from hwsim.plugins import load_object, packaged_names, resolve_named_file
from hwsim.spec.base import StrictSpec
from hwsim.spec.enums import Family
from hwsim.spec.loading import apply_override, read_validated, read_yaml_mapping, validate

# Every family's spec has at least ``name``, ``family`` and ``clock_mhz``.
ArchSpec = StrictSpec

SPEC_CLASS_BY_FAMILY: dict[Family, str] = {
    Family.IMC: "hwsim.spec.imc:ImcSpec",
    Family.SYSTOLIC: "hwsim.spec.systolic:SystolicSpec",
    Family.SNN: "hwsim.spec.snn:SnnSpec",
    Family.ATTENTION: "hwsim.spec.attention:AttentionSpec",
    Family.ROOFLINE: "hwsim.spec.roofline:RooflineSpec",
}

# Readers for accelerator files that are not hwsim YAML: (path, overrides) -> spec.
READER_BY_SUFFIX: dict[str, str] = {
    ".cfg": "hwsim.spec.scalesim_cfg:load_scalesim_cfg",
}


def preset_names() -> list[str]:
    """Names of the accelerators shipped with hwsim."""
    return packaged_names("hwsim.presets", ".yaml")


def resolve_arch_path(name_or_path: str) -> Path:
    """A preset name becomes its packaged YAML; anything else must be an existing file."""
    return resolve_named_file(name_or_path, package="hwsim.presets", suffixes=(".yaml",), what="arch", error=SpecError)


def load_arch_spec(name_or_path: str, overrides: dict[str, Any] | None = None) -> ArchSpec:
    """Read, override and validate an accelerator spec.

    Parameters
    ----------
    name_or_path
        A preset name (``hwsim list archs``), a YAML file, or a file with a reader in
        ``READER_BY_SUFFIX`` (SCALE-Sim ``.cfg``).
    overrides
        Dotted key paths to values, applied before validation (``--set``).
    """
    path = resolve_arch_path(name_or_path)
    reader_ref = READER_BY_SUFFIX.get(path.suffix)
    if reader_ref is not None:
        reader = load_object(reader_ref)
        if reader is None:
            raise SpecError(f"{path}: '{path.suffix}' files are not supported by this hwsim version")
        return reader(path, overrides or {})
    origin = str(path) if path.parent.name != "presets" else f"preset '{name_or_path}'"
    if not overrides:
        return read_validated(path, lambda data: validate_arch(data, origin))
    return arch_from_data(read_yaml_mapping(path), origin, overrides)


def arch_from_data(data: dict[str, Any], origin: str, overrides: dict[str, Any] | None = None) -> ArchSpec:
    """Override (dotted key paths, ``--set``) and validate an accelerator spec's raw mapping."""
    for key, value in (overrides or {}).items():
        data = apply_override(data, key, value, origin)
    return validate_arch(dict(data), origin)


def validate_arch(data: dict[str, Any], origin: str) -> ArchSpec:
    """Validate a raw mapping into its family's spec class."""
    family_raw = data.get("family")
    try:
        family = Family(family_raw)
    except ValueError:
        choices = ", ".join(f.value for f in Family)
        raise SpecError(f"{origin}: key 'family' = {family_raw!r}: expected one of {choices}") from None
    spec_class = load_object(SPEC_CLASS_BY_FAMILY[family])
    if spec_class is None:
        raise SpecError(f"{origin}: family '{family.value}' is not modelled yet by this hwsim version")
    return validate(spec_class, data, origin)
