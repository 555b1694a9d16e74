"""Run ``systolic_array`` in Amaranth's simulator through the shared bench (no Verilog tools)."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from amaranth.sim import Simulator

from hwsim.rtl import systolic_array
from hwsim.spec.arch import load_arch_spec
from hwsim.testbench import systolic_stimulus as stim

# A 4x4 array whose 1 KB SRAMs bound the fold buffers to what small layers need.
SMALL = {"array.rows": 4, "array.cols": 4, "sram.ifmap_kb": 1, "sram.filter_kb": 1, "sram.ofmap_kb": 1}
# DRAM slower than the array: 1 ifmap, 2 filter, 1 ofmap words per cycle.
NARROW_DRAM = {"dram.ifmap_words_per_cycle": 1, "dram.filter_words_per_cycle": 2, "dram.ofmap_words_per_cycle": 1,
               "buffer_model": "fold"}

INPUTS = ("o_ofmap__ready", "i_cmd__valid", "i_cmd__payload", "i_ifmap__valid", "i_ifmap__payload",
          "i_filter__valid", "i_filter__payload")
OUTPUTS = INPUTS + ("i_cmd__ready", "i_ifmap__ready", "i_filter__ready", "o_status", "o_ofmap__valid",
                    "o_ofmap__payload")


def _port(dut, name: str):
    obj = dut
    for part in name.split("__"):
        obj = getattr(obj, part)
    return obj.as_value() if hasattr(obj, "as_value") else obj


def run_amaranth(overrides: Mapping[str, Any], params: Mapping[str, Any] | None = None, seed: int = 1,
                 cases=None) -> dict[str, Any]:
    """The bench's summary of one run of the standard layers (or ``cases``)."""
    spec = load_arch_spec("systolic-32x32-ws", dict(overrides))
    full = {**systolic_array.default_params(spec), **(params or {})}
    dut = systolic_array.build(spec, full)
    config = dut.config
    rng = np.random.default_rng(seed)
    cases = stim.standard_cases(config, spec, full, rng) if cases is None else cases(config, rng)
    plans = [stim.plan(config, spec, case) for case in cases]
    fields = {name: (f.offset, f.width) for name, f in dut.i_cmd.payload.shape()}
    bench = stim.ArrayBench(config, plans, fields)
    ports = {name: _port(dut, name) for name in OUTPUTS}

    async def testbench(ctx):
        cycle, limit = 0, bench.max_cycles()
        while not bench.done and cycle < limit:
            for name, value in bench.drive().items():
                ctx.set(ports[name], value)
            bench.sample(cycle, {name: ctx.get(ports[name]) for name in OUTPUTS})
            await ctx.tick()
            cycle += 1

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    result = stim.summary(plans, bench.records, bench.cycles)
    result["done"] = bench.done
    return result
