"""The functional and cycle references the RTL testbenches check against (no simulator needed)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from hwsim.func.sparse_skip import SkipOp, issue
from hwsim.func.ternary_dot_engine import dot_tile
from hwsim.sim.blocks.sparse_skip import unit_chunk_cycles
from hwsim.sim.blocks.ternary_dot_engine import operands_before, tile_cycles
from hwsim.spec.arch import load_arch_spec


def test_skip_issues_non_zeros_lowest_lane_first():
    assert issue([0, -1, 0, 1], zero_skip=True) == [
        SkipOp(1, True, False, False, False, 2), SkipOp(3, False, False, False, True, 2)]


def test_all_zero_chunk_is_one_nop_beat():
    assert issue([0, 0, 0], zero_skip=True) == [SkipOp(0, False, False, True, True, 3)]


def test_without_skipping_zeros_are_issued_as_zero_adds():
    ops = issue([0, 1], zero_skip=False)
    assert [(o.lane, o.zero, o.last, o.skipped) for o in ops] == [(0, True, False, 0), (1, False, True, 0)]


def test_non_ternary_weight_is_rejected():
    with pytest.raises(ValueError, match=r"^ternary weights are -1, 0 or 1, not 2$"):
        issue([2], zero_skip=True)


def test_skip_unit_cycles_are_issue_or_scan_bound():
    chunks = np.array([[0, 0, 0, 0], [1, 0, -1, 0], [1, 1, 1, -1]])
    assert unit_chunk_cycles(chunks, True, 4).tolist() == [1, 2, 4]
    assert unit_chunk_cycles(chunks, False, 4).tolist() == [4, 4, 4]


def test_tile_cycles_hand_counted():
    # FAT: 2 cycles per bit, no carry preset.  Weights [1, 0, -1, 1] with 2-bit activations
    # (max 3) issue 3 additions of running widths 3, 4, 5 bits: (3 + 4 + 5) x 2 = 24 cycles.
    fat = load_arch_spec("fat", {"skip_unit.weights_per_cycle": 4})
    assert tile_cycles(fat.sense_amp, fat.skip_unit, np.array([1, 0, -1, 1]), 2) == 24
    # an all-zero chunk after it costs its one scan cycle
    assert tile_cycles(fat.sense_amp, fat.skip_unit, np.array([1, 0, -1, 1, 0, 0, 0, 0]), 2) == 25
    # ParaPIM: 4 cycles per bit plus one carry-row preset per addition, and no skipping:
    # 4 additions of 3, 4, 5, 5 bits = 17 x 4 + 4 = 72
    parapim = load_arch_spec("parapim", {"skip_unit.weights_per_cycle": 4})
    assert tile_cycles(parapim.sense_amp, parapim.skip_unit, np.array([1, 0, -1, 1]), 2) == 72


def test_operands_before_restart_per_part():
    ops = np.array([[2, 3, 1, 4, 5]])
    assert operands_before(ops, 5).tolist() == [[0, 2, 5, 6, 10]]
    assert operands_before(ops, 2).tolist() == [[0, 2, 0, 1, 0]]


def test_dot_engine_model_equals_integer_dot_product():
    rng = random.Random(3)
    for _ in range(500):
        lanes = rng.choice([4, 8])
        weights = [rng.choice([-1, 0, 1]) for _ in range(lanes * rng.randint(1, 5))]
        act_bits = rng.randint(1, 6)
        acts = [[rng.randint(0, (1 << act_bits) - 1) for _ in weights] for _ in range(3)]
        got = dot_tile(acts, weights, act_bits, lanes, rng.random() < 0.5, 16)
        assert got == (np.array(acts) @ np.array(weights)).tolist()


def test_imc_layer_cycles_are_built_on_the_dot_engine_block(monkeypatch):
    """Doubling the block's per-chunk work must change the layer's compute cycles."""
    from helpers import linear_layer, tiny_imc

    from hwsim.sim.blocks import ternary_dot_engine
    from hwsim.sim.imc.engine import simulate_layer

    spec = tiny_imc("fat")
    layer = linear_layer(c=16, k=2)
    weights = np.random.default_rng(0).integers(-1, 2, size=(2, 16, 1, 1)).astype(np.int8)
    base = simulate_layer(layer, weights, spec).compute_cycles
    real = ternary_dot_engine.chunk_work

    def doubled(*args, **kwargs):
        work = real(*args, **kwargs)
        return ternary_dot_engine.ChunkWork(work.ops, work.adder_cycles, 2 * work.item_cycles, work.bit_steps)

    monkeypatch.setattr(ternary_dot_engine, "chunk_work", doubled)
    assert simulate_layer(layer, weights, spec).compute_cycles > base
