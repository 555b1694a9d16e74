"""Numbers for people: SI prefixes in tables (42.4 J, 3.1 ms), ratios in words (3.1x less power).

Only what a terminal or HTML table shows goes through here; JSON and CSV keep raw units
(``energy_pj``, ``latency_s``) so that nothing read by a program depends on a prefix.
"""

from __future__ import annotations

import math

_PREFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "u"), (1e-9, "n"),
             (1e-12, "p"), (1e-15, "f"))
PJ_PER_J = 1e12


def si(value: float, unit: str, digits: int = 3) -> str:
    """``value`` (in ``unit``) with the prefix that leaves 1 to 999 before the point: ``si(0.0031, "s") == "3.1 ms"``."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g} {unit}"
    magnitude = abs(value)
    index = next((i for i, (scale, _) in enumerate(_PREFIXES) if magnitude >= scale), len(_PREFIXES) - 1)
    scale = _PREFIXES[index][0]
    if index > 0 and float(f"{magnitude / scale:.{digits}g}") >= 1000:
        index -= 1  # rounding carried 999.96 up to 1000: the next prefix up reads "1 k"
    scale, prefix = _PREFIXES[index]
    return f"{value / scale:.{digits}g} {prefix}{unit}"


def energy(energy_pj: float) -> str:
    return si(energy_pj / PJ_PER_J, "J")


def seconds(latency_s: float) -> str:
    return si(latency_s, "s")


def watts(power_w: float) -> str:
    return si(power_w, "W")


def ratio_words(ratio: float, better: str, worse: str) -> str:
    """A ratio of baseline cost over ours in words that read the right way round.

    ``ratio_words(3.1, "less power", "more power") == "3.1x less power"``; a ratio below one is
    turned over (0.32 -> "3.1x more power"), never printed as "0.32x lower power".
    """
    if not math.isfinite(ratio) or ratio <= 0:
        return "n/a"
    if math.isclose(ratio, 1.0, rel_tol=5e-3):
        return "same"
    if ratio > 1:
        return f"{ratio:.3g}x {better}"
    return f"{1 / ratio:.3g}x {worse}"
