"""cocotb testbench of rtl/lif_neuron.py: random synapse rows and spike trains, one transaction per step.

Reference model (run in its own process by :mod:`testbench.snn_stimulus`): ``hwsim.func.lif.lif_step``
of a one-neuron layer (``hwsim.func.snn_core.neuron_step``) gives the output ``o`` and the membrane
after every step; ``hwsim.sim.blocks.lif_neuron.step_cycles`` the cycles (plus ``setup_cycles`` on
an inference's first step, which starts with a ``clear`` beat).

An inference draws a synapse count (1..10), a weight row (all excitatory, all inhibitory,
extremes only, or mixed: narrow membranes run into both saturation limits), an input rate and
a feeding style: event-driven (active synapses only, a marker beat for an empty step) or
clock-driven (every synapse, zeros included).
"""

from __future__ import annotations

from pathlib import Path

import cocotb

from hwsim.testbench.common import StreamBench, Transaction, context, field_offsets, run_and_check, to_signed
from hwsim.testbench.snn_stimulus import load_transactions


def decoder(fields):
    (o_off, o_w), (v_off, v_w) = fields["o"], fields["v"]

    def decode(word: int):
        return [(word >> o_off) & ((1 << o_w) - 1), to_signed(word >> v_off, v_w)], True
    return decode


@cocotb.test()
async def random_spike_trains(dut):
    ctx = context()
    seed = ctx.rng.getrandbits(32)
    work = ctx.summary_path.parent if ctx.summary_path else Path.cwd()
    trs = [Transaction(t["beats"], t["expected"], t["cycles"], t["label"])
           for t in load_transactions("lif_neuron", seed, ctx.transactions, work)]
    bench = StreamBench(dut, ctx.rng, decode=decoder(field_offsets(ctx.design, "o_stream__payload")))
    await run_and_check(ctx, bench, trs)
