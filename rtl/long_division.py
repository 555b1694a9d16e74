"""Restoring long division, a few quotient bits per cycle (the attention engine's reciprocal)."""

from __future__ import annotations

from amaranth import Cat, Module, Mux, Signal


def division_rows(m: Module, rem, quo, divisor, rows: int) -> tuple[Signal, Signal]:
    """``rows`` restoring steps: double the remainder, subtract the divisor where it fits, shift
    that bit into the quotient.  Returns signals holding the next remainder and quotient
    (widths of ``rem``, ``quo``); the caller keeps ``rem < divisor`` between steps.  Each row's
    remainder is a signal of its own: as one expression, every row would copy the last thrice."""
    for row in range(rows):
        doubled = Cat(0, rem)
        fits = doubled >= divisor
        next_rem, next_quo = Signal(len(rem), name=f"div_rem{row}"), Signal(len(quo), name=f"div_quo{row}")
        m.d.comb += [next_rem.eq(Mux(fits, doubled - divisor, doubled)), next_quo.eq(Cat(fits, quo))]
        rem, quo = next_rem, next_quo
    return rem, quo
