"""Prefetch cycles (first fill, last drain) of the systolic engine, hand-counted and cross-checked.

The same quantity against SCALE-Sim itself is in tests/test_systolic_parity.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hwsim.sim.systolic.network import simulate_layer
from hwsim.sim.systolic.scalesim_buffers import drain_ofmap
from hwsim.sim.systolic.scalesim_drain import BufferReplay, drain_without_stalls
from hwsim.sim.systolic.scalesim_memory import calc_read_start_cycle, user_read_start_cycle
from tests.test_systolic_model import OS, WS, gemm_layer, spec


def test_drain_by_drain_equals_the_word_by_word_replay():
    # Random write streams, buffers and bandwidths; where the ofmap buffer would stall the
    # array, the fast path declines (None) and the word-by-word replay does stall.
    rng = np.random.default_rng(7)
    declined = 0
    for _ in range(600):
        lines, bandwidth, size = int(rng.integers(1, 300)), int(rng.integers(1, 16)), int(rng.integers(2, 250))
        words = rng.integers(0, 2 * bandwidth + 2, lines) * (rng.random(lines) < rng.random())
        words[-1] = max(words[-1], 1)
        fast, replay = drain_without_stalls(words, size, bandwidth), drain_ofmap(words, size, bandwidth)
        if fast is None:
            declined += 1
            assert replay.stall_cycles > 0
        else:
            assert fast == replay
    assert 0 < declined < 100


def test_drain_hand_counted():
    # 8-word buffer (drain half 4, 2 lines of 2 words), the array writes 3 words at cycles 0-3.
    # Cycle 1, word 5 overfills the half: lines {2}{2}{1} are cut, {2}{2} leave at cycles 1-2
    # (4 words freed, 1 left).  Cycle 2, word 9 overfills it again: {2}{2} are cut behind {1};
    # {1}{2} leave at cycles 2-3 and free 4 (SCALE-Sim counts the short line's idle lane).
    # Cycle 3 writes 3 more, 4 words held, no drain.  After it: {2} and the cut {2}{1} are
    # left, 3 lines from cycle 3 on: the last DRAM write is at cycle 5.
    replay = drain_without_stalls(np.array([3, 3, 3, 3]), 8, 2)
    assert replay == BufferReplay(total_cycles=3, stall_cycles=0, ofmap_last_write_cycle=5)
    assert drain_ofmap(np.array([3, 3, 3, 3]), 8, 2) == replay


def test_read_start_cycles_hand_counted():
    # USER: half of 1 KB = 512 words at 10 words per line, or the whole (smaller) prefetch matrix.
    assert user_read_start_cycle(1024, 10, 10_000) == -52
    assert user_read_start_cycle(1024, 10, 95) == -10
    # CALC: sets of floor(1024 / 100) = 10 words at 10 words per cycle; half the buffer's
    # sets (500 words) reached: the 50 prefetch sets end one cycle before the first read (7).
    assert calc_read_start_cycle(1024, 500, 7) == 7 - 50
    assert calc_read_start_cycle(1024, 95, 7) == -math.ceil(10 * 10 / 10)


def test_analytic_prefetch_is_first_fill_then_last_drain():
    # WS, 2x2 array, M=3 N=3 K=4 (12 ifmap, 12 filter, 9 ofmap words), 1 KB buffers hold them:
    # fill max(12/4, 12/3) = 4 cycles, drain ceil(9/2) = 5 cycles.
    stats = simulate_layer(gemm_layer(3, 3, 4), spec(WS, dram__ifmap_words_per_cycle=4, dram__filter_words_per_cycle=3,
                                                     dram__ofmap_words_per_cycle=2, sram__ifmap_kb=1,
                                                     sram__filter_kb=1, sram__ofmap_kb=1))
    assert stats.extra["prefetch_cycles"] == 4 + 5
    assert simulate_layer(gemm_layer(3, 3, 4), spec(WS)).extra["prefetch_cycles"] == 0  # calc: no transfer time


@pytest.mark.parametrize("model", ["analytic", "scalesim"])
def test_groups_run_one_after_another_with_their_own_prefetch(model):
    from dataclasses import replace

    overrides = dict(buffer_model=model, dram__ifmap_words_per_cycle=3, dram__filter_words_per_cycle=2,
                     dram__ofmap_words_per_cycle=2, sram__ifmap_kb=1, sram__filter_kb=1, sram__ofmap_kb=1)
    one = simulate_layer(gemm_layer(9, 2, 6), spec(OS, 3, 2, **overrides))
    four = simulate_layer(replace(gemm_layer(9, 2, 6), G=4), spec(OS, 3, 2, **overrides))
    assert one.extra["prefetch_cycles"] > 0
    assert (four.cycles, four.other_cycles, four.extra["prefetch_cycles"]) == \
        (4 * one.cycles, 4 * one.other_cycles, 4 * one.extra["prefetch_cycles"])
