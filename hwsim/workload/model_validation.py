"""Validate a model file's mapping with ``workload.*`` overrides, naming the layer in errors.

Every model schema (``hwsim.model/1``, ``hwsim.snn-model/1``, ``hwsim.transformer/1``) takes its
``--set workload.KEY=VALUE`` options the same way and reports a bad ``layers[i]`` entry by the
layer's name, so users find it without counting.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from hwsim.errors import SpecError, WorkloadError
from hwsim.spec.loading import apply_override, validate

M = TypeVar("M")


def validate_model_file(model: type[M], data: dict[str, Any], overrides: dict[str, Any], origin: str) -> M:
    """``data`` with each ``workload.<key>`` override applied, validated as ``model``.

    Raises WorkloadError (one line, the layer named where the message points at one).
    """
    try:
        for key, value in overrides.items():
            data = apply_override(data, f"workload.{key}", value, origin)
        return validate(model, data, origin)
    except SpecError as exc:
        raise WorkloadError(name_the_layer(str(exc), data)) from None


def name_the_layer(message: str, data: dict[str, Any]) -> str:
    """Add the layer's name to a message that points at ``layers[i]``."""
    match = re.search(r"'layers\[(\d+)\]", message)
    layers = data.get("layers") if isinstance(data, dict) else None
    if not match or not isinstance(layers, list) or int(match.group(1)) >= len(layers):
        return message
    entry = layers[int(match.group(1))]
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"{message} (layer '{name}')" if isinstance(name, str) else message
