"""The strict base of every YAML-facing spec: unknown keys rejected, instances frozen."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class StrictSpec(BaseModel):
    """A frozen pydantic model that rejects unknown keys, silent type coercion and non-finite numbers.

    A float field is a quantity (an energy, an area, a clock, a fraction): ``.inf`` and ``.nan``
    are refused wherever one is expected, naming the key.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, use_enum_values=False, allow_inf_nan=False)


class EnergyEntry(StrictSpec):
    """The energy of one counted action (pJ) and where that number comes from.

    Every family's action table has this shape (``{pj, source}``); ``energy_pj``, the key the
    systolic tables used before, is still read.
    """

    pj: float = Field(ge=0.0, validation_alias=AliasChoices("pj", "energy_pj"))
    source: str = Field(min_length=1)
