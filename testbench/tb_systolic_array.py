"""cocotb testbench of rtl/systolic_array.py: whole layers, outputs and every fold's cycles.

The layers, DRAM beats and checks are :mod:`hwsim.testbench.systolic_stimulus`'s (the same
bench the Amaranth-simulator tests step): a GEMM the array does not divide and two ResNet-18
layers sized down, or the layer ``--layer`` of ``--model``.  Outputs are checked against
numpy, fold lengths and the layer's cycles against the engine
(``hwsim.sim.systolic.folds.schedule_folds``), fold starts, stalls and the last output beat
against ``hwsim.sim.blocks.systolic_array.layer_timing``.
"""

from __future__ import annotations

import json

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge

from hwsim.func.systolic_array import array_config
from hwsim.testbench.common import context, field_offsets
from hwsim.testbench.systolic_stimulus import ArrayBench, plan, standard_cases, summary

INPUTS = ("o_ofmap__ready", "i_cmd__valid", "i_cmd__payload", "i_ifmap__valid", "i_ifmap__payload",
          "i_filter__valid", "i_filter__payload")
OUTPUTS = INPUTS + ("i_cmd__ready", "i_ifmap__ready", "i_filter__ready", "o_status", "o_ofmap__valid",
                    "o_ofmap__payload")


def _value(handles, name: str) -> int:
    """A port's value; a payload is read only while its stream is valid (the output tiles'
    memories start unset, so an idle payload may be X)."""
    if name.endswith("__payload") and not int(handles[name.replace("__payload", "__valid")].value):
        return 0
    return int(handles[name].value)


@cocotb.test()
async def whole_layers(dut):
    ctx = context()
    config = array_config(ctx.spec, ctx.params)
    rng = np.random.default_rng(ctx.rng.getrandbits(32))
    plans = [plan(config, ctx.spec, case) for case in standard_cases(config, ctx.spec, ctx.params, rng)]
    bench = ArrayBench(config, plans, field_offsets(ctx.design, "i_cmd__payload"))
    handles = {name: getattr(dut, name) for name in OUTPUTS}

    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    for name in INPUTS:
        handles[name].value = 0
    for _ in range(3):
        await RisingEdge(dut.clk)
    dut.rst.value = 0
    cycle, limit = 0, bench.max_cycles()
    while not bench.done and cycle < limit:
        await RisingEdge(dut.clk)
        for name, value in bench.drive().items():
            handles[name].value = value
        await FallingEdge(dut.clk)
        bench.sample(cycle, {name: _value(handles, name) for name in OUTPUTS})
        cycle += 1
    result = summary(plans, bench.records, bench.cycles)
    if not bench.done:
        result["output_mismatches"] = max(1, result["output_mismatches"])
        result["first_mismatches"].insert(0, f"stuck: {bench.out_layer} of {len(plans)} layers drained "
                                             f"after {cycle} cycles")
    if ctx.summary_path is not None:
        ctx.summary_path.write_text(json.dumps(result, indent=2) + "\n")
    assert not result["output_mismatches"] and not result["cycle_mismatches"], "; ".join(result["first_mismatches"])
