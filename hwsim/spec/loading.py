"""Read YAML into validated specs; turn pydantic errors into one-line SpecErrors.

Also applies ``--set key.path=value`` overrides to the raw mapping before validation, so an
override is checked exactly like the YAML it replaces.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hwsim.errors import SpecError

M = TypeVar("M", bound=BaseModel)


def read_yaml_mapping(path: Path, error: type[Exception] = SpecError) -> dict[str, Any]:
    """Parse ``path`` as YAML and require a mapping at the top level."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise error(f"{path}: malformed YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def format_validation_error(exc: ValidationError, origin: str) -> str:
    """The first validation problem as one sentence naming ``origin`` and the key path."""
    first = exc.errors()[0]
    loc = _key_path(first["loc"])
    kind = first["type"]
    value = first.get("input")
    if kind == "extra_forbidden":
        return f"{origin}: unknown key '{loc}'"
    if kind == "missing":
        return f"{origin}: missing key '{loc}'"
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if isinstance(value, (dict, list, tuple)):
        return f"{origin}: key '{loc}': {message}"
    return f"{origin}: key '{loc}' = {_short(value)}: {message}"


def validate(model: type[M], data: dict[str, Any], origin: str) -> M:
    """Validate ``data`` into ``model`` or raise a SpecError naming ``origin``."""
    try:
        return model.model_validate_json(_as_json(data), strict=True)
    except ValidationError as exc:
        raise SpecError(format_validation_error(exc, origin)) from None


def _as_json(data: dict[str, Any]) -> str:
    """YAML data as JSON text, so strict validation reads enums by value but never coerces types.

    Strict JSON-mode validation accepts 500 for a float and 'combined_stationary' for an enum,
    and rejects true or "8" for an int, which is what a spec file's author means.
    """
    import json

    # YAML dates and other scalars with no JSON form become strings, which strict typing rejects.
    return json.dumps(data, default=str)


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``key.path=value``; the value is parsed as YAML (so 512 is an int)."""
    if "=" not in text:
        raise SpecError(f"--set {text!r}: expected KEY=VALUE")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise SpecError(f"--set {text!r}: empty key path")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


def apply_override(data: dict[str, Any], key: str, value: Any, origin: str) -> dict[str, Any]:
    """Return a copy of ``data`` with ``key`` (dotted; list items by index) set to ``value``.

    A key absent from the file may be set at the last level (schema defaults); the
    validation that follows rejects it if the schema does not know it either.
    """
    out = copy.deepcopy(data)
    node: Any = out
    parts = key.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise SpecError(f"{origin}: --set {key}: no list item '{here}'")
            index: Any = int(part)
        elif isinstance(node, dict):
            if part not in node and not last:
                raise SpecError(f"{origin}: --set {key}: unknown key '{here}'")
            index = part
        else:
            raise SpecError(f"{origin}: --set {key}: '{'.'.join(parts[:depth])}' is not a mapping")
        if last:
            node[index] = value
        else:
            node = node[index]
    return out


def _key_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif isinstance(item, str) and item.startswith("function-"):
            continue
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
