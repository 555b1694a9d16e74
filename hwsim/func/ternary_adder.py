"""Bit-exact functional reference of the bit-serial ternary adder (``rtl/ternary_adder.py``).

One transaction adds (or subtracts) a signed operand into a two's-complement accumulator.
The hardware ripples the carry through ``bits`` positions (``width_bits`` unless a running
width is given), drops the last carry and sign-extends above them, so the result is the sum
wrapped to ``bits`` signed bits.
"""

from __future__ import annotations

from dataclasses import dataclass


def wrap_signed(value: int, width_bits: int) -> int:
    """``value`` reduced to a signed ``width_bits`` two's-complement integer."""
    mask = (1 << width_bits) - 1
    value &= mask
    return value - (1 << width_bits) if value >> (width_bits - 1) else value


@dataclass(frozen=True)
class AdderOp:
    """One addition request.

    Attributes
    ----------
    operand
        Signed integer in [-2**(width-1), 2**(width-1) - 1].
    sub
        Subtract the operand instead of adding it.
    clear
        Start from an accumulator of 0 (the first addition of a new sum).
    """

    operand: int
    sub: bool = False
    clear: bool = False


def add_step(acc: int, op: AdderOp, width_bits: int, bits: int | None = None) -> int:
    """The accumulator after ``op``: ``acc +/- operand`` (acc = 0 when ``op.clear``), wrapped
    to ``bits`` (default ``width_bits``) signed bits."""
    base = 0 if op.clear else acc
    delta = -op.operand if op.sub else op.operand
    return wrap_signed(base + delta, width_bits if bits is None else bits)


def bit_serial_add(acc: int, op: AdderOp, width_bits: int, bits: int | None = None) -> int:
    """The same result computed bit by bit, LSB first, as the sense amplifier does it.

    Subtraction adds the one's complement of the operand with the carry preset to 1.
    Kept next to :func:`add_step` so tests can show the two agree on every input.
    """
    bits = width_bits if bits is None else bits
    mask = (1 << width_bits) - 1
    a = 0 if op.clear else acc & mask
    b = (~op.operand if op.sub else op.operand) & mask
    carry = int(op.sub)
    out = 0
    for i in range(bits):
        ai, bi = (a >> i) & 1, (b >> i) & 1
        out |= (ai ^ bi ^ carry) << i
        carry = (ai & bi) | (ai & carry) | (bi & carry)
    return wrap_signed(out, bits)


def run_ops(ops: list[AdderOp], width_bits: int, acc: int = 0) -> list[int]:
    """Accumulator value after each op of ``ops`` (what the RTL emits, one per transaction)."""
    out = []
    for op in ops:
        acc = add_step(acc, op, width_bits)
        out.append(acc)
    return out
