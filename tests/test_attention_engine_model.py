"""The attention engine's block cycle model (the pipeline's schedule), its relation to the per-head model, and the
RTL block's parameter checks (no Verilog simulator needed)."""

from __future__ import annotations

import pytest

from hwsim.rtlflow import RtlError
from hwsim.rtlflow.generate import make_design
from hwsim.sim.blocks.attention_engine import (FEED_CYCLES, divide_cycles, engine_head_cycles, exact_tail_cycles,
                                               schedule)


def test_schedule_hand_counted():
    # L = 4 then 16, k = 4: tokens 0-3; first score 3 + 4 = 7; query 0's kept keys leave top-k
    # at 7 + 8 - 1 = 14, its row 14 cycles later (row read, copy, 4 weights, the last
    # accumulation, 6 dividing (3 quotient bits a cycle), output); request 1 loads into the other
    # bank at once (4-19) and starts when request 0's selection ends (7 + 4 * 8 = 39)
    assert divide_cycles(4) == 6 and exact_tail_cycles(4) == 14
    first, second = schedule([4, 16], 4)
    assert (first.load_start, first.load_end, first.start, first.select_end) == (0, 3, 7, 38)
    assert first.rows == (28, 36, 44, 52)
    assert (second.load_start, second.load_end, second.start) == (4, 19, 39)
    assert second.rows[0] == 39 + 20 - 1 + 14 and second.end == 39 + 16 * 20 - 1 + 14
    with pytest.raises(ValueError, match=r"L = 3 tokens cannot keep k = 4 keys"):
        schedule([3], 4)


def test_third_request_waits_for_its_bank():
    # request 2 reuses request 0's bank: free k + 3 cycles after request 0's selection ends
    timings = schedule([4, 4, 4], 4)
    assert timings[2].load_start == timings[0].select_end + 4 + 3 == 45
    assert timings[2].start == timings[1].select_end + 1  # and still starts on time


@pytest.mark.parametrize(("lengths", "head_dim", "k"), [([4, 16, 5, 9, 4], 4, 4), ([20, 5, 6, 20, 13], 8, 5),
                                                        ([64, 16, 64, 8], 16, 8)])
def test_requests_start_engine_head_cycles_apart(lengths, head_dim, k):
    # the per-head model overlaps the exact step with the next query's selection and loads
    # Q/K/V in the QKV stage; so does the pipelined RTL: equal, not close
    timings = schedule(lengths, k)
    for earlier, later in zip(timings, timings[1:]):
        assert later.start - earlier.start == engine_head_cycles(earlier.length, head_dim, k)
        assert engine_head_cycles(earlier.length, head_dim, k) == earlier.length * (earlier.length + k)
    # fill and drain: the first request's load and feed, the last query's exact tail
    assert timings[0].start == lengths[0] - 1 + FEED_CYCLES
    assert timings[-1].end == timings[-1].select_end + exact_tail_cycles(k)


@pytest.mark.parametrize("k", range(1, 17))
def test_normalising_fits_the_shortest_selection(k):
    # divide + output within L + k >= 2k cycles, a whole number of quotient bits a cycle
    assert divide_cycles(k) + 1 <= 2 * k and 18 % divide_cycles(k) == 0


def test_a_short_request_stalls_a_long_load():
    # L = 1, k = 1 selects in 2 cycles (4-5), less than the next request's load and feed
    # (token 1, first score 6); request 2 waits for request 0's bank (free at 5 + 1 + 3 = 9:
    # tokens 9-10, first score 14)
    timings = schedule([1, 1, 2, 2], 1)
    assert [t.start for t in timings] == [4, 6, 14, 20]
    assert timings[2].load_start == 9 and timings[2].start == timings[2].load_end + FEED_CYCLES


@pytest.mark.parametrize(("params", "message"), [
    ({"k": 99}, r"k = 99 exceeds topk_unit.k_max = 64 of arch 'sparse-attn-fpga'"),
    ({"k": 20}, r"k must be an integer in \[1, 16\], not 20"),
    ({"head_dim": 17}, r"head_dim must be an integer in \[1, 16\], not 17"),
    ({"k": 8, "max_len": 4}, r"k = 8 is more than max_len = 4 keys"),
    ({"fault": "nope"}, r"fault must be None or one of"),
])
def test_bad_parameters_are_one_sentence(params, message):
    with pytest.raises(RtlError, match=rf"^RTL block 'attention_engine' with parameters .*: {message}"):
        make_design("attention_engine", params=params)


def test_generated_from_the_preset():
    design = make_design("attention_engine", arch="sparse-attn-fpga")
    assert design.params["k"] == 4 and design.params["head_dim"] == 4
    # one flat module with plain identifiers; the reused score and top-k units keep their names as prefixes
    assert design.verilog.count("module ") == 1 and "module attention_engine(" in design.verilog
    assert "\\" not in design.verilog
    assert "score__acc" in design.verilog and "topk__" in design.verilog


def test_estimate_is_close_to_yosys():
    # the defaults (LUT RAM); BENCHMARKS.md has four more designs, block RAM included (about 11 s)
    from hwsim.rtlflow.area import synthesize
    from hwsim.rtlflow.blocks import get_block
    from hwsim.rtlflow.generate import load_block_arch

    design = make_design("attention_engine", arch="sparse-attn-fpga")
    synth, cells = synthesize(design, "xc7")
    block = get_block("attention_engine")
    estimate = block.estimate(load_block_arch(block, "sparse-attn-fpga", {}), design.params)
    assert cells["RAM32M"] == 24 and (synth.bram, synth.dsp) == (estimate.bram, estimate.dsp) == (0, 25)
    for kind in ("lut", "ff", "carry"):
        assert abs(getattr(estimate, kind) - getattr(synth, kind)) <= 0.1 * getattr(synth, kind), kind
