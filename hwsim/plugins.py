"""Find a family's spec class, engine or file reader from a "module:attribute" reference.

Families live in their own modules and are imported only when used, so a user who simulates
an IMC design never imports the SNN or attention code, and each family can be added without
touching the others.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any


def load_object(reference: str) -> Any | None:
    """The object named ``"package.module:attribute"``, or None when that module does not exist."""
    module_name, _, attribute = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    return getattr(module, attribute)


def package_dir(package: str) -> Path:
    """The folder of an installed package (importlib.resources costs 45 ms at start-up, this nothing)."""
    return Path(importlib.import_module(package).__file__).parent


def packaged_names(package: str, suffix: str) -> list[str]:
    """Stems of the files ending in ``suffix`` shipped in ``package`` (presets, zoo models)."""
    return sorted(p.name[: -len(suffix)] for p in package_dir(package).iterdir() if p.name.endswith(suffix))


def resolve_named_file(
    name_or_path: str, *, package: str, suffixes: tuple[str, ...], what: str, error: type[Exception]
) -> Path:
    """A packaged name becomes its file (first suffix); anything else must be an existing file.

    ``what`` names the kind of thing in messages ("arch", "model").
    """
    for suffix in suffixes:
        if name_or_path in packaged_names(package, suffix):
            return package_dir(package) / f"{name_or_path}{suffix}"
    path = Path(name_or_path)
    if path.exists():
        return path
    if path.suffix or "/" in name_or_path:
        raise error(f"{path}: file not found")
    known = sorted({n for s in suffixes for n in packaged_names(package, s)})
    raise error(f"unknown {what} '{name_or_path}': not a packaged {what} ({', '.join(known)}) nor a file")
