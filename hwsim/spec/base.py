"""The strict base of every YAML-facing spec: unknown keys rejected, instances frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StrictSpec(BaseModel):
    """A frozen pydantic model that rejects unknown keys and silent type coercion."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, use_enum_values=False)


class EnergyEntry(StrictSpec):
    """The energy of one counted action (pJ) and where that number comes from."""

    pj: float = Field(ge=0.0)
    source: str = Field(min_length=1)
