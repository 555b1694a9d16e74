"""CPU/GPU roofline baselines and comparisons against the FPGA designs."""

from __future__ import annotations

import json

import pytest

from hwsim import api
from hwsim.cli import main
from hwsim.errors import SimulationError, SpecError
from hwsim.sim.roofline.kernels import Kernel
from hwsim.sim.roofline.network import kernel_seconds


def test_kernel_time_is_the_higher_roof_plus_overhead():
    gpu = api.load_arch("gpu-v100")  # 7e12 MAC/s x 0.6; 900 GB/s x 0.8; 5 us; 4-byte elements
    compute_bound = Kernel("gemm", macs=4_200_000_000, elements=1000)
    memory_bound = Kernel("softmax", macs=0, elements=180_000_000)
    assert kernel_seconds(compute_bound, gpu) == pytest.approx(1e-3 + 5e-6)
    assert kernel_seconds(memory_bound, gpu) == pytest.approx(1e-3 + 5e-6)


def test_baselines_pad_batches_and_draw_their_power():
    workload = api.load_network("tiny-encoder")
    report = api.simulate(workload, api.load_arch("cpu-xeon-8180"))
    assert report.total.power_w == pytest.approx(205.0)
    assert 0.2 < report.total.extra["padded_token_fraction"] < 0.8
    assert [layer.name for layer in report.layers] == [
        layer.name for layer in api.simulate(workload, api.load_arch("sparse-attn-fpga")).layers]


def test_compare_against_a_gpu_gives_ratios():
    workload = api.load_network("tiny-encoder")
    ours = api.simulate(workload, api.load_arch("sparse-attn-fpga"))
    gpu = api.simulate(workload, api.load_arch("gpu-v100"))
    cmp = api.compare(ours, gpu)
    assert cmp.speedup == pytest.approx(gpu.total.latency_s / ours.total.latency_s)
    assert cmp.energy_efficiency == pytest.approx(gpu.total.energy_pj / ours.total.energy_pj)


def test_roofline_values_need_sources():
    with pytest.raises(SpecError, match=r"missing key 'power_w.source'"):
        api.load_arch("gpu-v100", overrides={"power_w": {"value": 100.0}})


def test_cli_simulates_and_compares_with_overrides(tmp_path, capsys):
    lengths = tmp_path / "lengths.csv"
    lengths.write_text("length\n12\n40\n7\n")
    out = tmp_path / "out.json"
    code = main(["simulate", "--model", "tiny-encoder", "--arch", "sparse-attn-fpga", "--set", "workload.top_k=4",
                 "--set", f"workload.seq_lengths={lengths}", "--quiet", "--json", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert data["workload"]["top_k"] == 4 and data["total"]["sequences"] == 3
    code = main(["compare", "--model", "tiny-encoder", "--arch", "sparse-attn-fpga", "--arch", "dense-attn-fpga",
                 "--json", str(out)])
    assert code == 0 and "x faster" in capsys.readouterr().out
    assert json.loads(out.read_text())["total"]["speedup"] > 1.0


def test_cli_bad_top_k_is_one_line(capsys):
    code = main(["simulate", "--model", "tiny-encoder", "--arch", "sparse-attn-fpga", "--set", "workload.top_k=0"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "workload.top_k = 0: must be in [1, 128]" in err


def test_fixed_shape_padding_must_hold_the_longest_sequence():
    workload = api.load_network("tiny-encoder")
    fixed = api.simulate(workload, api.load_arch("gpu-v100", overrides={"pad_to_length": 128}))
    batch = api.simulate(workload, api.load_arch("gpu-v100"))
    assert fixed.total.latency_s > batch.total.latency_s
    with pytest.raises(SimulationError, match=r"pad_to_length = 16 is shorter than the longest sequence \(\d+ tokens\)"):
        api.simulate(workload, api.load_arch("gpu-v100", overrides={"pad_to_length": 16}))
