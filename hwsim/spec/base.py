"""The strict base of every YAML-facing spec: unknown keys rejected, instances frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictSpec(BaseModel):
    """A frozen pydantic model that rejects unknown keys and silent type coercion."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, use_enum_values=False)


class Sourced(StrictSpec):
    """Mixin field for a number that must say where it comes from."""

    source: str
