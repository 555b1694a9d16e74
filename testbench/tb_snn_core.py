"""cocotb testbench of rtl/snn_core.py: random spike trains, one transaction per time step.

Reference model (run in its own process by :mod:`testbench.snn_stimulus`):
``hwsim.func.lif.lif_step`` of the whole layer gives every neuron's output and membrane after
each step; ``hwsim.sim.blocks.snn_core.step_cycles`` the cycles of each step (plus
``setup_cycles`` on an inference's first step, which starts with the ``clear`` beat).  A
transaction's outputs are the step's ``G`` group beats: spikes and membranes of all ``P``
lanes (padding lanes included) and the group number.
"""

from __future__ import annotations

from pathlib import Path

import cocotb

from testbench.common import StreamBench, Transaction, context, field_offsets, run_and_check, to_signed
from testbench.snn_stimulus import load_transactions


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
    decode = decoder(field_offsets(ctx.design, "o_stream__payload"), params["parallel_neurons"],
                     params["levels"].bit_length(), params["membrane_bits"])
    await run_and_check(ctx, StreamBench(dut, ctx.rng, decode=decode), trs)
