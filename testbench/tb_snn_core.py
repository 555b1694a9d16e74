"""cocotb testbench of rtl/snn_core.py: random spike trains, one transaction per time step.

Reference model (run in its own process by :mod:`testbench.snn_stimulus`):
``hwsim.func.lif.lif_step`` of the whole layer gives every neuron's output and membrane after
each step; ``hwsim.sim.blocks.snn_core.step_cycles`` the cycles of each step (plus
``setup_cycles`` on an inference's first step, which starts with the ``clear`` beat).  A
transaction's outputs are the step's ``G`` group beats: spikes and membranes of all ``P``
lanes (padding lanes included) and the group number.  What the core emitted is also written
to :data:`OBSERVED_FILE` in the run directory, so that :mod:`testbench.tb_snn_network` can feed
one core's spikes to the next.
"""

from __future__ import annotations

import json
from pathlib import Path

import cocotb

from hwsim.testbench.common import StreamBench, Transaction, check, context, field_offsets, to_signed, write_failure
from hwsim.testbench.snn_stimulus import load_transactions

OBSERVED_FILE = "observed.json"
"""Per transaction (step), the core's output beats as decoded: ``[[spikes, membranes, group], ...]``."""


def decoder(fields, lanes: int, out_bits: int, membrane_bits: int):
    s_off, m_off = fields["spikes"][0], fields["membranes"][0]
    g_off, g_w = fields["group"]
    last_off = fields["last"][0]

    def decode(word: int):
        spikes = [(word >> (s_off + p * out_bits)) & ((1 << out_bits) - 1) for p in range(lanes)]
        membranes = [to_signed(word >> (m_off + p * membrane_bits), membrane_bits) for p in range(lanes)]
        group = (word >> g_off) & ((1 << g_w) - 1)
        return [spikes, membranes, group], bool((word >> last_off) & 1)
    return decode


@cocotb.test()
async def random_spike_trains(dut):
    ctx = context()
    params = ctx.params
    seed = ctx.rng.getrandbits(32)
    work = ctx.summary_path.parent if ctx.summary_path else Path.cwd()
    trs = [Transaction(t["beats"], t["expected"], t["cycles"], t["label"])
           for t in load_transactions("snn_core", seed, ctx.transactions, work)]
    fields = field_offsets(ctx.design, "o_stream__payload")
    lanes = params["parallel_neurons"]
    # lane widths from the port, not the flat parameters: a trained layer brings its own neuron
    decode = decoder(fields, lanes, fields["spikes"][1] // lanes, fields["membranes"][1] // lanes)
    bench = StreamBench(dut, ctx.rng, decode=decode)
    await bench.reset()
    try:
        records = await bench.run(trs, max_cycles=20 * sum(t.predicted_cycles for t in trs) + 1000)
    except AssertionError as exc:
        write_failure(ctx, trs, exc)
        raise
    (work / OBSERVED_FILE).write_text(json.dumps([rec.outputs for rec in records]))
    check(ctx, trs, records, bench)
