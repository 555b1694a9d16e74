"""The processing elements of ``systolic_array``: one per dataflow family.

Both multiply a streamed operand that moves one PE to the right per cycle by a second
operand.  Under weight and input stationary (``StationaryPE``) the second operand is held in
the PE (shifted in from above during a fold's preload) and the partial sum moves one PE
down per cycle; under output stationary (``OutputStationaryPE``) the second operand moves
down too and the sum stays in the PE until the array captures it.  Every output is a
register, so a value entering PE(i, j) from the left edge in cycle c reaches PE(i, j + 1)
in cycle c + 1: the skew the engine's fold model counts.
"""

from __future__ import annotations

from amaranth import Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

FAULTS = ("drops_partial_sum",)
"""An output-stationary PE that drops the first product of each sum (the weight- and
input-stationary variant of this fault is in the array's control: see ``systolic_control``)."""


class StationaryPE(wiring.Component):
    """A weight- or input-stationary PE: ``psum_out <= psum_in + held * x_in``.

    Parameters
    ----------
    x_shape, w_shape
        Shapes of the streamed operand (enters from the left) and of the held one.
    acc_bits
        Width of the signed partial sum.

    Members
    -------
    x_in : In(x_shape)
        The streamed operand, from the left neighbour (or the array's left edge).
    x_out : Out(x_shape)
        ``x_in`` registered, to the right neighbour.
    w_in : In(w_shape)
        The operand shifted in from above while ``load`` is high.
    w_out : Out(w_shape)
        The held operand (also the PE below's ``w_in``).
    load : In(1)
        Shift ``w_in`` into the held register this cycle (a fold's preload).
    psum_in : In(signed(acc_bits))
        The partial sum from above.
    psum_out : Out(signed(acc_bits))
        ``psum_in + held * x_in``, registered.
    """

    def __init__(self, x_shape, w_shape, acc_bits: int) -> None:
        self._acc_bits = acc_bits
        super().__init__({
            "x_in": In(x_shape), "x_out": Out(x_shape),
            "w_in": In(w_shape), "w_out": Out(w_shape), "load": In(1),
            "psum_in": In(signed(acc_bits)), "psum_out": Out(signed(acc_bits)),
        })

    def elaborate(self, platform) -> Module:
        m = Module()
        m.d.sync += self.x_out.eq(self.x_in)
        with m.If(self.load):
            m.d.sync += self.w_out.eq(self.w_in)
        m.d.sync += self.psum_out.eq(self.psum_in + self.w_out * self.x_in)
        return m


class OutputStationaryPE(wiring.Component):
    """An output-stationary PE: ``acc <= (first ? 0 : acc) + a * b`` on valid operands.

    Parameters
    ----------
    a_shape, b_shape
        Shapes of the operand from the left and of the operand from above.
    acc_bits
        Width of the signed accumulator.
    fault
        ``None`` or ``"drops_partial_sum"``.

    Members
    -------
    a_in, a_valid_in, a_first_in : In
        The left operand, whether it is one (the stream has gaps), and whether it starts a sum.
    a_out, a_valid_out, a_first_out : Out
        The same, registered, to the right neighbour.
    b_in : In(b_shape)
        The operand from above; ``b_out`` passes it down, registered.
    capture : In(1)
        Copy the accumulator into the result register (the fold is over).
    shift : In(1)
        Take ``res_in`` (the result of the PE below) into the result register.
    res_in : In(signed(acc_bits)); res_out : Out(signed(acc_bits))
        The result chain: results leave the array at the top row, one row per cycle.
    """

    def __init__(self, a_shape, b_shape, acc_bits: int, *, fault: str | None = None) -> None:
        self._acc_bits, self._fault = acc_bits, fault
        super().__init__({
            "a_in": In(a_shape), "a_valid_in": In(1), "a_first_in": In(1),
            "a_out": Out(a_shape), "a_valid_out": Out(1), "a_first_out": Out(1),
            "b_in": In(b_shape), "b_out": Out(b_shape),
            "capture": In(1), "shift": In(1),
            "res_in": In(signed(acc_bits)), "res_out": Out(signed(acc_bits)),
        })

    def elaborate(self, platform) -> Module:
        m = Module()
        m.d.sync += [self.a_out.eq(self.a_in), self.a_valid_out.eq(self.a_valid_in),
                     self.a_first_out.eq(self.a_first_in), self.b_out.eq(self.b_in)]
        acc = Signal(signed(self._acc_bits))
        product = self.a_in * self.b_in
        with m.If(self.a_valid_in):
            with m.If(self.a_first_in):
                m.d.sync += acc.eq(0 if self._fault == "drops_partial_sum" else product)
            with m.Else():
                m.d.sync += acc.eq(acc + product)
        with m.If(self.capture):
            m.d.sync += self.res_out.eq(acc)
        with m.Elif(self.shift):
            m.d.sync += self.res_out.eq(self.res_in)
        return m
