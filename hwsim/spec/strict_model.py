"""The pydantic base of the files a simulation does not read on its fast path.

Sweeps, mapping files and the SNN and Transformer model files use validators that only
pydantic models have (before-validators over the raw mapping, per-field validators with
context); they keep the same strictness as :class:`hwsim.spec.base.StrictSpec`: unknown keys
rejected, instances frozen, no ``.inf`` or ``.nan``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A frozen pydantic model that rejects unknown keys, silent type coercion and non-finite numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, use_enum_values=False, allow_inf_nan=False)
