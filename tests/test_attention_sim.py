"""The FPGA attention accelerator: pipeline, scheduling, balancing, resources and errors."""

from __future__ import annotations

import numpy as np
import pytest

from hwsim import api
from hwsim.errors import SimulationError, SpecError
from hwsim.sim.attention.pipeline import flow_shop_finish
from hwsim.sim.attention.topk_unit import score_bits_needed

MODEL = """\
schema: hwsim.transformer/1
name: small
model: {d_model: 128, heads: 2, d_ff: 256, encoder_layers: 2, decoder_layers: 0, max_len: 128}
workload: {seq_lengths: LENGTHS, top_k: 8}
"""


def model(tmp_path, lengths, decoder_layers=0):
    text = MODEL.replace("LENGTHS", str(list(lengths))).replace("decoder_layers: 0", f"decoder_layers: {decoder_layers}")
    path = tmp_path / "small.yaml"
    path.write_text(text)
    return api.load_network(str(path))


def sim(workload, arch="sparse-attn-fpga", **overrides):
    return api.simulate(workload, api.load_arch(arch, overrides={k.replace("__", "."): v for k, v in overrides.items()}))


def test_flow_shop_by_hand():
    # two jobs, two machines; job 1 waits for machine 0 then for job 0 on machine 1
    times = np.array([[3, 2], [1, 5]], dtype=np.int64)
    finish = flow_shop_finish(times, np.array([-1, -1]))
    assert finish.tolist() == [[3, 5], [4, 10]]
    # job 1 is job 0's next layer: it cannot enter before job 0 has left the last machine
    finish = flow_shop_finish(times, np.array([-1, 0]))
    assert finish.tolist() == [[3, 5], [6, 11]]


def test_length_aware_beats_padding_only_when_lengths_vary(tmp_path):
    mixed = model(tmp_path, [8, 120, 16, 24] * 8)
    equal = model(tmp_path, [64] * 32)
    for workload, faster in ((mixed, True), (equal, False)):
        aware = sim(workload)
        padded = sim(workload, scheduling__mode="padded")
        assert aware.total.extra["padded_token_fraction"] == 0.0
        if faster:
            assert padded.total.latency_s > 1.5 * aware.total.latency_s
            assert padded.total.extra["padded_token_fraction"] > 0.5
        else:
            assert padded.total.cycles == aware.total.cycles


def test_top_k_makes_attention_linear_in_length(tmp_path):
    short, long = model(tmp_path, [64] * 4), model(tmp_path, [128] * 4)

    def attn_macs(workload, arch):
        return sum(layer.macs for layer in sim(workload, arch).layers if layer.kind == "attn")

    assert attn_macs(long, "dense-attn-fpga") == 4 * attn_macs(short, "dense-attn-fpga")
    assert attn_macs(long, "sparse-attn-fpga") == 2 * attn_macs(short, "sparse-attn-fpga")
    # exact scores and values on k = 8 kept keys: 2 x H x L x k x D per block and sequence
    assert attn_macs(short, "sparse-attn-fpga") == 2 * (2 * 2 * 64 * 8 * 64) * 4


def test_critical_path_balancing_beats_an_even_split(tmp_path):
    workload = model(tmp_path, [40, 90, 12, 128] * 4)
    balanced = sim(workload)
    even = sim(workload, scheduling__stage_balancing="even")
    assert balanced.total.cycles < even.total.cycles
    dsp = balanced.total.extra["dsp_per_stage"]
    assert sum(dsp.values()) == 4096 and dsp["ffn_up"] > dsp["attention"]


def test_report_counts_sequences_and_static_energy(tmp_path):
    workload = model(tmp_path, [10, 20, 30])
    report = sim(workload)
    assert [layer.name for layer in report.layers][:5] == [f"enc0.{s}" for s in ("qkv", "attn", "out", "ffn1", "ffn2")]
    extra = report.total.extra
    assert extra["sequences"] == 3 and 0 < extra["seq_latency_mean_s"] <= report.total.latency_s
    static = report.total.energy_breakdown_pj["fpga.static_cycle"]
    assert static == pytest.approx(20.0 * report.total.latency_s * 1e12)
    assert report.total.energy_breakdown_pj["score.lut_mac"] > 0


def test_decoder_blocks_run_two_passes(tmp_path):
    workload = model(tmp_path, [16, 32], decoder_layers=1)
    names = [layer.name for layer in sim(workload).layers]
    assert "dec0.xattn" in names and "dec0.ffn2" in names and len(names) == 2 * 5 + 8


def test_top_k_beyond_the_unit_is_rejected(tmp_path):
    workload = api.load_network("tiny-encoder", overrides={"top_k": 100})
    with pytest.raises(SimulationError, match=r"workload.top_k = 100 exceeds topk_unit.k_max = 64 of arch 'sparse-attn-fpga'"):
        sim(workload)


def test_sparse_design_needs_top_k():
    workload = api.load_network("tiny-encoder", overrides={"top_k": None})
    with pytest.raises(SimulationError, match="set workload.top_k"):
        sim(workload)
    assert sim(workload, "dense-attn-fpga").total.extra["attention"] == "dense"


def test_score_width_too_small_for_d_is_rejected():
    workload = api.load_network("bert-base", overrides={"num_sequences": 4})
    assert score_bits_needed(64) == 13  # 64 x 7 x 7 = 3136 < 2^12, plus a sign bit
    with pytest.raises(SimulationError, match=r"topk_unit.score_bits = 12 .* D = 64 .*\(needs 13 bits\)"):
        sim(workload, topk_unit__score_bits=12)


def test_activations_beyond_block_ram_are_rejected():
    workload = api.load_network("bert-base", overrides={"seq_lengths": [512] * 128})
    with pytest.raises(SimulationError, match=r"scheduling.batch_sequences = 128 .* need \d+ BRAM36 .* xcu200 has 9840"):
        sim(workload, scheduling__batch_sequences=128)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"topk_unit": None}, "'score_engine' and 'topk_unit' go together"),
        ({"dsp_pool.dsp": 7000}, "dsp_pool.dsp = 7000 exceeds the 6840 DSPs of xcu200"),
        ({"scheduling.mode": "greedy"}, r"key 'scheduling.mode' = 'greedy'"),
    ],
)
def test_bad_specs_are_rejected(overrides, message):
    with pytest.raises(SpecError, match=message):
        api.load_arch("sparse-attn-fpga", overrides=overrides)


def test_bert_base_simulates_quickly():
    import time

    workload = api.load_network("bert-base")
    arch = api.load_arch("sparse-attn-fpga")
    api.simulate(workload, arch)  # numba compile or cache load
    start = time.perf_counter()
    report = api.simulate(workload, arch)
    assert time.perf_counter() - start < 2.0
    assert report.total.extra["sequences"] == 1000
