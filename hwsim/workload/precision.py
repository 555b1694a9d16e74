"""Operand widths of a layer and what they mean on a datapath of a fixed word width.

A product reads weights (or, for a product of two activations, its second operand) and
activations and writes outputs at the activations' width.  On a datapath whose words and
multipliers are ``word_bits`` wide:

- an element fills ``bits / word_bits`` words of storage and bandwidth (a ternary weight a
  quarter of an 8-bit word; a float32 activation four);
- a multiply of a ``w``-bit by an ``a``-bit operand costs ``w * a / word_bits^2`` of the
  word-wide multiply's energy: array-multiplier energy grows with the product of the operand
  widths (Horowitz, ISSCC 2014, 45 nm: int8 multiply 0.2 pJ, int32 multiply 3.1 pJ, 15.5x
  for 16x the bit products); floats are priced as integers of their width;
- operands wider than the word take ``ceil(w / word_bits) * ceil(a / word_bits)`` passes
  through the multiplier (an int16 layer on an int8 array: four).
"""

from __future__ import annotations

import math

from hwsim.workload.layers import Layer


def operand_bits(layer: Layer) -> tuple[int, int, int]:
    """(weight or second operand, input activation, output) widths in bits."""
    weight = layer.weight_quant.bits if layer.weight_quant is not None else layer.act_bits
    return weight, layer.act_bits, layer.act_bits


def word_scale(layer: Layer, word_bits: int) -> tuple[float, float, float]:
    """Words one element of each operand (weight, input, output) fills."""
    return tuple(bits / word_bits for bits in operand_bits(layer))  # type: ignore[return-value]


def mac_energy_scale(layer: Layer, word_bits: int) -> float:
    """A MAC's energy relative to a word-wide MAC's: w * a / word_bits^2."""
    weight, act, _ = operand_bits(layer)
    return weight * act / (word_bits * word_bits)


def mac_passes(layer: Layer, word_bits: int) -> int:
    """Passes through a word-wide multiplier per MAC (1 unless an operand is wider than the word)."""
    weight, act, _ = operand_bits(layer)
    return math.ceil(weight / word_bits) * math.ceil(act / word_bits)
