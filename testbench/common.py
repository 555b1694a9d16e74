"""Shared pieces of the cocotb testbenches: design context, stream driver, sink, monitor, checker.

Every testbench runs one loop per clock cycle: right after the rising edge the driver puts
the next beat (or an idle cycle) on the input stream and the sink picks its ``ready``; at the
falling edge, when everything has settled, the monitor samples both handshakes.  Cycle
numbers therefore mean the same thing on Icarus and Verilator.

A *transaction* is one unit of work with one predicted cycle count (one addition, one weight
chunk, one dot-product tile).  Its measured cycles are ``end - start + 1`` minus the cycles
in which the block waited for the test: input wanted but not offered (``ready & ~valid``
while the transaction still has beats to deliver) or output offered but not taken
(``valid & ~ready``).  ``start`` is the cycle its first input beat was accepted, ``end`` the
cycle its last output beat was taken.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from hwsim.spec.arch import load_arch_spec


@dataclass(frozen=True)
class Context:
    """What the runner tells a testbench (through environment variables)."""

    design: dict[str, Any]
    spec: Any
    params: dict[str, Any]
    transactions: int
    summary_path: Path | None
    rng: random.Random


def context() -> Context:
    """Read the design JSON named by ``HWSIM_RTL_DESIGN`` and rebuild its arch spec.

    The spec is loaded from the same preset/file and overrides the Verilog was generated
    from, so predictions and hardware come from one description.
    """
    design = json.loads(Path(os.environ["HWSIM_RTL_DESIGN"]).read_text())
    spec = None if design["arch"] is None else load_arch_spec(design["arch"], design["overrides"])
    summary = os.environ.get("HWSIM_RTL_SUMMARY")
    seed = int(os.environ.get("HWSIM_RTL_SEED", cocotb.RANDOM_SEED))
    return Context(design, spec, dict(design["params"]), int(os.environ.get("HWSIM_RTL_TRANSACTIONS", "1000")),
                   Path(summary) if summary else None, random.Random(seed))


def field_offsets(design: dict[str, Any], port: str) -> dict[str, tuple[int, int]]:
    """(offset, width) of each struct field of ``port`` from the design's port table."""
    entry = next(p for p in design["ports"] if p["name"] == port)
    return {name: (f["offset"], f["width"]) for name, f in entry["fields"].items()}


def pack(fields: dict[str, tuple[int, int]], **values: int) -> int:
    """Pack signed/unsigned field values into one payload integer."""
    word = 0
    for name, value in values.items():
        offset, width = fields[name]
        word |= (value & ((1 << width) - 1)) << offset
    return word


def lanes_word(values, bits: int) -> int:
    """Lane 0 in the low bits, two's complement per lane."""
    return sum((int(v) & ((1 << bits) - 1)) << (bits * lane) for lane, v in enumerate(values))


def to_signed(value: int, width: int) -> int:
    value &= (1 << width) - 1
    return value - (1 << width) if value >> (width - 1) else value


@dataclass
class Transaction:
    """Input beats of one transaction and what the reference model says it must produce."""

    beats: list[int]
    expected: Any
    predicted_cycles: int
    label: str = ""


@dataclass
class Record:
    """What the monitor saw of one transaction."""

    start: int | None = None
    end: int | None = None
    beats_in: int = 0
    outputs: list[Any] = field(default_factory=list)
    waits: int = 0


class StreamDriver:
    """Offers the input beats in order; before each new beat it idles with ``idle_prob`` per cycle."""

    def __init__(self, dut, rng: random.Random, beats: list[tuple[int, int]], idle_prob: float) -> None:
        self.dut, self.rng, self.idle_prob = dut, rng, idle_prob
        self.beats = beats        # (transaction index, payload) in order
        self.next = 0             # the beat on the bus, or the next one to offer
        self.offered = False

    def drive(self) -> None:
        """Right after a rising edge: put the next beat (or nothing) on ``i_stream``."""
        if not self.offered and self.next < len(self.beats) and self.rng.random() >= self.idle_prob:
            self.offered = True
            self.dut.i_stream__payload.value = self.beats[self.next][1]
        self.dut.i_stream__valid.value = int(self.offered)

    def waiting_transaction(self) -> int | None:
        """The transaction whose beat the block would take next (None when all are sent)."""
        return self.beats[self.next][0] if self.next < len(self.beats) else None

    def accepted(self) -> int:
        """The offered beat was taken (at the coming edge); returns its transaction."""
        t = self.beats[self.next][0]
        self.next += 1
        self.offered = False
        return t


class BackPressure:
    """Drives ``o_stream.ready``: low with probability ``stall_prob`` in each cycle."""

    def __init__(self, dut, rng: random.Random, stall_prob: float) -> None:
        self.dut, self.rng, self.stall_prob = dut, rng, stall_prob

    def drive(self) -> None:
        self.dut.o_stream__ready.value = int(self.rng.random() >= self.stall_prob)


class Monitor:
    """Attributes each cycle's handshakes and waits to transactions (see the module docstring)."""

    def __init__(self, n_transactions: int, decode: Callable[[int], tuple[Any, bool]]) -> None:
        self.records = [Record() for _ in range(n_transactions)]
        self.decode = decode
        self.out_t = 0            # the transaction whose outputs come next
        self.last_move = 0        # last cycle with any handshake

    @property
    def done(self) -> bool:
        return self.out_t >= len(self.records)

    def sample(self, cycle: int, dut, driver: StreamDriver) -> None:
        """At a falling edge: record what the block did in ``cycle``."""
        i_valid, i_ready = int(dut.i_stream__valid.value), int(dut.i_stream__ready.value)
        o_valid, o_ready = int(dut.o_stream__valid.value), int(dut.o_stream__ready.value)
        wanted = driver.waiting_transaction()
        if i_ready and not i_valid and wanted is not None and self.records[wanted].start is not None:
            self.records[wanted].waits += 1  # the block wants more beats of a started transaction
        if o_valid and not o_ready and self.records[self.out_t].start is not None:
            self.records[self.out_t].waits += 1
        if (i_valid and i_ready) or (o_valid and o_ready):
            self.last_move = cycle
        if i_valid and i_ready:
            rec = self.records[driver.accepted()]
            if rec.start is None:
                rec.start = cycle
            rec.beats_in += 1
        if o_valid and o_ready:
            value, ends = self.decode(int(dut.o_stream__payload.value))
            rec = self.records[self.out_t]
            if rec.start is None:
                raise AssertionError(f"cycle {cycle}: output {value!r} before transaction {self.out_t} started")
            rec.outputs.append(value)
            if ends:
                rec.end = cycle
                self.out_t += 1


class StreamBench:
    """A :class:`StreamDriver`, :class:`BackPressure` and :class:`Monitor` around one
    stream-in / stream-out block, stepped together once per clock cycle.

    Parameters
    ----------
    dut
        The cocotb handle; ports ``i_stream__{valid,ready,payload}`` and ``o_stream__...``.
    decode
        ``payload int -> (output value, ends_transaction)``.
    idle_prob, stall_prob
        Probability that the driver offers nothing in a cycle / the sink is not ready.
    """

    def __init__(self, dut, rng: random.Random, decode: Callable[[int], tuple[Any, bool]],
                 idle_prob: float = 0.3, stall_prob: float = 0.3) -> None:
        self.dut = dut
        self.rng = rng
        self.decode = decode
        self.idle_prob = idle_prob
        self.stall_prob = stall_prob
        self.cycles = 0

    async def reset(self) -> None:
        dut = self.dut
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        dut.rst.value = 1
        dut.i_stream__valid.value = 0
        dut.i_stream__payload.value = 0
        dut.o_stream__ready.value = 0
        for _ in range(3):
            await RisingEdge(dut.clk)
        dut.rst.value = 0

    async def run(self, transactions: list[Transaction], max_cycles: int) -> list[Record]:
        """Drive every transaction through the block and record what happened, cycle by cycle.

        Fails when the block stops moving: no handshake for ``20 * max(predicted) + 50`` cycles.
        """
        stall_limit = 20 * max(t.predicted_cycles for t in transactions) + 50
        beats = [(t, b) for t, tr in enumerate(transactions) for b in tr.beats]
        driver = StreamDriver(self.dut, self.rng, beats, self.idle_prob)
        sink = BackPressure(self.dut, self.rng, self.stall_prob)
        monitor = Monitor(len(transactions), self.decode)
        cycle = 0
        while not monitor.done:
            if cycle > max_cycles or cycle - monitor.last_move > stall_limit:
                raise AssertionError(f"stuck: {monitor.out_t} of {len(transactions)} transactions done after "
                                     f"{cycle} cycles, last handshake in cycle {monitor.last_move}")
            await RisingEdge(self.dut.clk)
            driver.drive()
            sink.drive()
            await FallingEdge(self.dut.clk)
            monitor.sample(cycle, self.dut, driver)
            cycle += 1
        self.cycles = cycle
        return monitor.records


def write_failure(ctx: Context, transactions: list[Transaction], error: Exception) -> None:
    """Summary of a run that could not finish (the block hung or broke the protocol)."""
    if ctx.summary_path is not None:
        ctx.summary_path.write_text(json.dumps({
            "transactions": len(transactions), "cycles_simulated": 0, "cycles_checked": 0,
            "output_mismatches": len(transactions), "cycle_mismatches": len(transactions),
            "first_mismatches": [str(error)],
        }, indent=2) + "\n")


async def run_and_check(ctx: Context, bench: StreamBench, transactions: list[Transaction],
                        compare: Callable[[Any, list[Any]], bool] | None = None) -> None:
    """Reset, run every transaction, and check outputs and cycle counts (the usual testbench body)."""
    await bench.reset()
    total = sum(t.predicted_cycles for t in transactions)
    try:
        records = await bench.run(transactions, max_cycles=20 * total + 1000)
    except AssertionError as exc:
        write_failure(ctx, transactions, exc)
        raise
    check(ctx, transactions, records, bench, compare)


def check(ctx: Context, transactions: list[Transaction], records: list[Record], bench: StreamBench,
          compare: Callable[[Any, list[Any]], bool] | None = None) -> None:
    """Compare every output and every cycle count with hwsim's; write the summary; fail on any mismatch."""
    same = compare or (lambda expected, outputs: outputs == expected)
    out_bad, cyc_bad, first = 0, 0, []
    for t, (tr, rec) in enumerate(zip(transactions, records)):
        measured = rec.end - rec.start + 1 - rec.waits
        if not same(tr.expected, rec.outputs):
            out_bad += 1
            if len(first) < 5:
                first.append(f"transaction {t} {tr.label}: outputs {rec.outputs} != expected {tr.expected}")
        if measured != tr.predicted_cycles:
            cyc_bad += 1
            if len(first) < 5:
                first.append(f"transaction {t} {tr.label}: {measured} cycles != predicted {tr.predicted_cycles}")
    summary = {
        "transactions": len(transactions), "cycles_simulated": bench.cycles,
        "cycles_checked": sum(tr.predicted_cycles for tr in transactions),
        "output_mismatches": out_bad, "cycle_mismatches": cyc_bad, "first_mismatches": first,
    }
    if ctx.summary_path is not None:
        ctx.summary_path.write_text(json.dumps(summary, indent=2) + "\n")
    assert out_bad == 0 and cyc_bad == 0, "; ".join(first)
