"""The attention engine's block cycle model, its relation to the per-head model, and the
RTL block's parameter checks (no Verilog simulator needed)."""

from __future__ import annotations

import pytest

from hwsim.rtlflow import RtlError
from hwsim.rtlflow.generate import make_design
from hwsim.sim.blocks.attention_engine import engine_head_cycles, query_cycles, request_cycles


def test_request_cycles_hand_counted():
    # L = 6, k = 2: load 6; a query is 1 key read, 6 scores + 1 latency + 2 kept out, 1 row
    # read, 2 exp, 1 divide, 2 weighted sums, 1 output = 17
    assert query_cycles(6, 2) == 17
    assert request_cycles(6, 2) == 6 + 6 * 17
    with pytest.raises(ValueError, match=r"L = 3 tokens cannot keep k = 4 keys"):
        request_cycles(3, 4)


@pytest.mark.parametrize(("length", "head_dim", "k"), [(4, 4, 4), (16, 4, 4), (64, 16, 8)])
def test_difference_to_the_per_head_model(length, head_dim, k):
    # the per-head model overlaps the exact step with the next query's selection and loads
    # Q/K/V in the QKV stage; the sequential RTL adds exactly those cycles
    assert engine_head_cycles(length, head_dim, k) == length * (length + k)
    assert request_cycles(length, k) - engine_head_cycles(length, head_dim, k) == length + length * (2 * k + 5)


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
