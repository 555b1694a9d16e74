"""The per-bit cycle schedule of the sense amplifier, derived from its micro-op list.

Shared by the RTL (which decodes one state per cycle) and its tests.  A micro-op with
``latency_cycles = L > 0`` occupies L cycles and takes effect in the last one; a zero-latency
micro-op takes effect in the same cycle as the micro-op before it (the latch closes on the
sense edge).  The schedule therefore has exactly ``bit_step_cycles(sense_amp)`` entries.
"""

from __future__ import annotations

from hwsim.spec.enums import MicroOp
from hwsim.spec.imc import SenseAmpSpec


def bit_schedule(sense_amp: SenseAmpSpec) -> tuple[frozenset[MicroOp], ...]:
    """Effects of each cycle of one bit position, in order.

    Raises
    ------
    ValueError
        If the sequence cannot be executed by a digital sense amplifier: a carry update
        or sum write before the first sense, or not exactly one ``write_sum`` per bit.
    """
    cycles: list[set[MicroOp]] = []
    pending: set[MicroOp] = set()  # zero-latency ops that precede every timed op
    for micro in sense_amp.micro_ops:
        if micro.latency_cycles == 0:
            (cycles[-1] if cycles else pending).add(micro.op)
            continue
        cycles.extend(set() for _ in range(micro.latency_cycles))
        cycles[-1].add(micro.op)
        if pending:
            cycles[-1] |= pending
            pending = set()
    order = [op for micro in sense_amp.micro_ops for op in [micro.op]]
    first_sense = order.index(MicroOp.SENSE)
    for op in (MicroOp.WRITE_SUM, MicroOp.LATCH_CARRY, MicroOp.WRITE_CARRY):
        if op in order and order.index(op) < first_sense:
            raise ValueError(f"micro-op '{op.value}' comes before the first 'sense' in {order}")
    if order.count(MicroOp.WRITE_SUM) != 1:
        raise ValueError(f"the RTL adder needs exactly one 'write_sum' per bit, got {order.count(MicroOp.WRITE_SUM)}")
    return tuple(frozenset(c) for c in cycles)


def first_sense_cycle(schedule: tuple[frozenset[MicroOp], ...]) -> int:
    """Index of the cycle in which the sense amplifier first evaluates a bit."""
    return next(i for i, ops in enumerate(schedule) if MicroOp.SENSE in ops)
