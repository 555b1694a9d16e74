"""Read YAML into validated specs; turn pydantic errors into one-line SpecErrors.

pydantic is imported here, when a spec is validated, and not by the spec classes
(:mod:`hwsim.spec.base`): a run that reads only packaged specs it has validated before never
imports it.

Also applies ``--set key.path=value`` overrides to the raw mapping before validation, so an
override is checked exactly like the YAML it replaces.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from hwsim.errors import HwsimError, SpecError
from hwsim.input_files import read_text
from hwsim.limits import MAX_YAML_BYTES
from hwsim.spec import packaged_yaml
from hwsim.spec.base import FieldValueError

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

M = TypeVar("M")
T = TypeVar("T")


def read_yaml_mapping(path: Path, error: type[HwsimError] = SpecError) -> dict[str, Any]:
    """Parse ``path`` as strict, bounded YAML and require a mapping at the top level.

    The file must be a regular file of at most ``MAX_YAML_BYTES``, UTF-8, within the alias,
    node and depth limits of :mod:`hwsim.spec.strict_yaml`, and without duplicate keys.  hwsim's
    own presets and models are parsed once (:mod:`hwsim.spec.packaged_yaml`).
    """
    return _yaml_mapping(path, _read(path, error), error)


def read_validated(path: Path, validate_data: Callable[[dict[str, Any]], T], error: type[HwsimError] = SpecError) -> T:
    """``validate_data`` of the mapping in ``path`` (see :func:`read_yaml_mapping`).

    hwsim's own presets and models are validated once: a spec they validated to before is
    read back (:func:`hwsim.spec.packaged_yaml.cached_spec`), without importing pydantic.
    """
    text = _read(path, error)
    spec = packaged_yaml.cached_spec(path, text)
    if spec is None:
        spec = validate_data(_yaml_mapping(path, text, error))
        packaged_yaml.keep_spec(path, text, spec)
    return spec


def _read(path: Path, error: type[HwsimError]) -> str:
    return read_text(path, max_bytes=MAX_YAML_BYTES, what="YAML document", error=error)


def _yaml_mapping(path: Path, text: str, error: type[HwsimError]) -> dict[str, Any]:
    data = packaged_yaml.cached(path, text)  # a preset or zoo model read before: its data, without PyYAML
    if data is None:
        from hwsim.spec.strict_yaml import load_yaml

        data = load_yaml(text, str(path), error)
        packaged_yaml.keep(path, text, data)
    if not isinstance(data, dict):
        kind = {list: "a list", str: "a string", int: "an integer", float: "a number", bool: "a boolean"}
        got = "an empty document" if data is None else kind.get(type(data), f"a {type(data).__name__}")
        raise error(f"{path}: expected a mapping at the top level, got {got}")
    return data


def format_validation_error(exc: ValidationError, origin: str) -> str:
    """The first validation problem as one sentence naming ``origin`` and the key path."""
    first = exc.errors()[0]
    refused = first.get("ctx", {}).get("error")
    loc = _key_path((*first["loc"], *(refused.key.split(".") if isinstance(refused, FieldValueError) else ())))
    kind = first["type"]
    value = first.get("input")
    if isinstance(refused, FieldValueError) and isinstance(value, dict):
        value = _at_key(value, refused.key)
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
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
    """Validate ``data`` into ``model`` (a spec dataclass, :mod:`hwsim.spec.base`) or raise a
    SpecError naming ``origin``."""
    from pydantic import ValidationError

    try:
        return _adapter(model).validate_json(_as_json(data), strict=True)
    except ValidationError as exc:
        raise SpecError(format_validation_error(exc, origin)) from None


@lru_cache(maxsize=None)
def _adapter(model: type) -> "TypeAdapter":
    """pydantic's validator of a spec dataclass, built once per class (the spec classes are
    module-level and few).

    The spec modules name their constraints (``Gt``, ``MinLen``, ``doc``...) only for type
    checkers, so that defining a spec does not import ``annotated_types``; pydantic resolves
    names an annotation's module lacks in the namespace of the frame that creates the
    adapter, which is this function's, where they are imported.
    """
    from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen, doc  # noqa: F401 (read by pydantic, see above)
    from pydantic import TypeAdapter

    return TypeAdapter(model)


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
    from hwsim.spec.strict_yaml import load_yaml

    value = load_yaml(raw, f"--set {key}", malformed_as_text=True) if raw.strip() else ""
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


_UNION_TAGS = re.compile(r"^(int|float|str|bool|none|nullable|list\[.*\]|tuple\[.*\]|dict\[.*\]|literal\[.*\]"
                         r"|function-.*|constrained-.*|.*-enum\[.*\]|dataclass\[.*\])$")


def _key_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif isinstance(item, str) and _UNION_TAGS.match(item):
            continue  # pydantic names the member of a union it tried ("start.float"): not a key
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _at_key(data: dict[str, Any], key: str) -> Any:
    """The raw value at a dotted key below ``data`` (None where there is none)."""
    node: Any = data
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
