# amaranth: UnusedElaboratable=no
"""The top-k and LUT score units in Amaranth's simulator against the functional and cycle models.

Quick checks without Verilog; the cocotb testbenches (tests/cosim/) repeat them on Icarus
and Verilator.
"""

from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from hwsim.func.sparse_attention import approximate_scores, topk_indices
from hwsim.sim.attention.lut_score_unit import score_cycles
from hwsim.sim.attention.topk_unit import topk_query_cycles
from hwsim.rtl.lut_score_unit import LutScoreUnit
from hwsim.rtl.topk_unit import TopkUnit


def run_topk(dut: TopkUnit, queries: list[list[int]], ready_pattern=None):
    """Feed each query's scores back to back; return per query (indices, scores, cycles)."""
    results = []

    async def bench(ctx):
        for scores in queries:
            start = None
            for i, s in enumerate(scores):
                ctx.set(dut.i_stream.valid, 1)
                ctx.set(dut.i_stream.payload, {"score": s, "last": int(i == len(scores) - 1)})
                while True:
                    await ctx.delay(1e-9)
                    fired = ctx.get(dut.i_stream.ready)
                    cycle = await _tick(ctx)
                    if fired:
                        start = cycle if start is None else start
                        break
            ctx.set(dut.i_stream.valid, 0)
            got, end = [], None
            n = 0
            while True:
                ready = 1 if ready_pattern is None else ready_pattern(n)
                n += 1
                ctx.set(dut.o_stream.ready, ready)
                await ctx.delay(1e-9)
                valid = ctx.get(dut.o_stream.valid)
                payload = ctx.get(dut.o_stream.payload)
                cycle = await _tick(ctx)
                if valid and ready:
                    got.append((payload.index, payload.score))
                    if payload.last:
                        end = cycle
                        break
            ctx.set(dut.o_stream.ready, 0)
            results.append(([i for i, _ in got], [s for _, s in got], end - start + 1))

    counter = {"cycle": 0}

    async def _tick(ctx):
        cycle = counter["cycle"]
        await ctx.tick()
        counter["cycle"] += 1
        return cycle

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return results


@pytest.mark.parametrize("k", [1, 4])
def test_topk_unit_matches_the_reference_with_ties(k):
    rng = np.random.default_rng(k)
    queries = [[3, 3, 1, 3, 5, 5, -2], [7], [0, 0, 0, 0, 0], list(rng.integers(-4, 4, size=12))]
    dut = TopkUnit(k=k, score_bits=8, index_bits=5)
    for scores, (indices, values, cycles) in zip(queries, run_topk(dut, queries)):
        keep = min(k, len(scores))
        assert indices == topk_indices(np.array(scores), keep).tolist()
        assert values == [scores[i] for i in indices]
        assert cycles == topk_query_cycles(len(scores), k)


def test_topk_fault_is_caught():
    dut = TopkUnit(k=2, score_bits=8, index_bits=4, fault="ties_to_later")
    (indices, _, _), = run_topk(dut, [[5, 5, 5]])
    assert indices != topk_indices(np.array([5, 5, 5]), 2).tolist()


def run_scores(dut: LutScoreUnit, q: np.ndarray, keys: np.ndarray):
    lanes = dut.lanes
    beats = -(-q.size // lanes)
    qp = np.zeros(beats * lanes, dtype=int)
    qp[: q.size] = q
    out, cycles = [], {}

    async def bench(ctx):
        cycle = 0
        ctx.set(dut.o_stream.ready, 1)
        for j, key in enumerate(keys):
            kp = np.zeros(beats * lanes, dtype=int)
            kp[: key.size] = key
            for b in range(beats):
                sl = slice(b * lanes, (b + 1) * lanes)
                ctx.set(dut.i_stream.valid, 1)
                ctx.set(dut.i_stream.payload, {"q": qp[sl].tolist(), "k": kp[sl].tolist(), "last": int(b == beats - 1)})
                await ctx.delay(1e-9)
                if ctx.get(dut.o_stream.valid):
                    out.append(ctx.get(dut.o_stream.payload))
                    cycles["end"] = cycle
                await ctx.tick()
                cycle += 1
        ctx.set(dut.i_stream.valid, 0)
        while len(out) < len(keys):
            await ctx.delay(1e-9)
            if ctx.get(dut.o_stream.valid):
                out.append(ctx.get(dut.o_stream.payload))
                cycles["end"] = cycle
            await ctx.tick()
            cycle += 1

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return out, cycles["end"] + 1


@pytest.mark.parametrize("lanes, D", [(4, 8), (3, 7)])
def test_lut_score_unit_matches_integer_dot_products(lanes, D):
    rng = np.random.default_rng(D)
    q = rng.integers(-7, 8, size=D)
    keys = rng.integers(-7, 8, size=(5, D))
    keys[0] = 7 * np.sign(q)  # the extreme score D * 49 at the bottom of the width
    dut = LutScoreUnit(lanes=lanes, head_dim=D)
    scores, cycles = run_scores(dut, q, keys)
    assert scores == approximate_scores(q[None, :], keys)[0].tolist()
    assert cycles == score_cycles(len(keys), D, lanes)


def test_score_width_must_hold_d():
    with pytest.raises(ValueError, match=r"score_bits = 12 cannot hold a score of D = 64 4-bit products \(needs at least 13"):
        LutScoreUnit(lanes=16, head_dim=64, score_bits=12)


def test_topk_output_survives_back_pressure():
    scores = [2, 9, 9, 4, 9, 1]
    dut = TopkUnit(k=3, score_bits=6, index_bits=3)
    (indices, values, _), = run_topk(dut, [scores], ready_pattern=lambda n: n % 3 == 2)
    assert indices == [1, 2, 4] and values == [9, 9, 9]


@pytest.mark.parametrize("fault", ["ignores_sign", "drops_beat"])
def test_lut_score_faults_are_caught(fault):
    q, keys = np.array([-3, 5, 7, -1]), np.array([[2, -6, 1, 4], [-7, -7, 3, 0]])
    scores, _ = run_scores(LutScoreUnit(lanes=2, head_dim=4, fault=fault), q, keys)
    assert scores != approximate_scores(q[None, :], keys)[0].tolist()
