"""Count, then price: energy is action counts times a table, for any family."""

from __future__ import annotations

from typing import Mapping

from hwsim.errors import SimulationError


def price_counts(counts: Mapping[str, float], table_pj: Mapping[str, float]) -> dict[str, float]:
    """Energy per ``component.action`` in pJ; every counted action must have a price."""
    missing = sorted(set(counts) - set(table_pj))
    if missing:
        raise SimulationError(f"energy table has no price for action '{missing[0]}'")
    return {key: float(n) * table_pj[key] for key, n in sorted(counts.items()) if n}


def counted_actions(counts: Mapping[str, float]) -> dict[str, float]:
    """The actions that happened (the keys :func:`price_counts` prices), as a report lists them."""
    return {key: n for key, n in sorted(counts.items()) if n}
