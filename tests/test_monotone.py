"""More hardware is never slower: each family's latency does not grow with the resources it is given.

Each case raises one resource of a preset and checks the latency of the same workload; where
the added resource is unused (a bigger buffer that the workload already fits), energy must not
grow either.  The IMC family has its own, deeper test (tests/test_imc_monotone.py).
"""

import pytest

from hwsim import api


def _latency(model, arch, overrides, **workload):
    report = api.simulate(api.load_network(model, **workload), api.load_arch(arch, overrides=overrides))
    return report.total.latency_s, report.total.energy_pj



@pytest.mark.parametrize("key, values", [
    ("sram.ifmap_kb", [16, 64, 256]),
    ("sram.filter_kb", [16, 64, 256]),
    ("sram.ofmap_kb", [8, 32, 128]),
    ("dram.ifmap_words_per_cycle", [1, 4, 16]),
    ("dram.filter_words_per_cycle", [1, 4, 16]),
    ("dram.ofmap_words_per_cycle", [1, 4, 16]),
])
def test_systolic_buffers_and_bandwidth(key, values):
    base = {"dram": {"ifmap_words_per_cycle": 4, "filter_words_per_cycle": 4, "ofmap_words_per_cycle": 4},
            "sram": {"ifmap_kb": 64, "filter_kb": 64, "ofmap_kb": 32, "double_buffered": True}}
    latencies = []
    for value in values:
        section, field = key.split(".")
        overrides = {section: {**base[section], field: value}}
        other = "sram" if section == "dram" else "dram"
        overrides[other] = base[other]
        latencies.append(_latency("mlp", "systolic-32x32-ws", overrides)[0])
    assert latencies == sorted(latencies, reverse=True), (key, latencies)


@pytest.mark.parametrize("model", ["mlp", "resnet18"])
@pytest.mark.parametrize("key", ["array.rows", "array.cols"])
def test_systolic_array_size(model, key):
    """With bypass (the presets), a larger array is never slower: a fold uses the part it needs."""
    latencies = [_latency(model, "systolic-32x32-ws", {key: v})[0] for v in (8, 16, 32, 64, 128, 256, 512)]
    assert latencies == sorted(latencies, reverse=True), latencies


def test_systolic_without_bypass_is_scalesims_array():
    """SCALE-Sim's array (no bypass) is slower when larger on a batch-1 layer: every fold crosses it."""
    slow = _latency("mlp", "systolic-32x32-ws", {"array.rows": 512, "array.bypass_unused": False})[0]
    fast = _latency("mlp", "systolic-32x32-ws", {"array.rows": 128, "array.bypass_unused": False})[0]
    assert slow > fast
    assert _latency("mlp", "systolic-32x32-ws", {"array.rows": 512})[0] <= fast


@pytest.mark.parametrize("key, values", [
    ("core.parallel_neurons", [8, 16, 64]),
])
def test_snn_parallel_neurons(key, values):
    latencies = [_latency("snn-digits", "snn-fpga", {key: v})[0] for v in values]
    assert latencies == sorted(latencies, reverse=True), latencies


@pytest.mark.parametrize("key, values", [
    ("dsp_pool.dsp", [1024, 2048, 4096]),
    ("memory.dram_bandwidth_gb_s", [16.0, 32.0, 64.0]),
    ("score_engine.units", [16, 32, 64]),
    ("topk_unit.units", [8, 16, 32]),
])
def test_attention_resources(key, values):
    latencies = [_latency("tiny-encoder", "sparse-attn-fpga", {key: v})[0] for v in values]
    assert latencies == sorted(latencies, reverse=True), (key, latencies)


@pytest.mark.parametrize("key, values", [
    ("peak_macs_per_s.value", [1e12, 1e13, 1e14]),
    ("memory_bandwidth_gb_s.value", [100.0, 400.0, 900.0]),
])
def test_roofline_resources(key, values):
    latencies = [_latency("tiny-encoder", "gpu-v100", {key: v})[0] for v in values]
    assert latencies == sorted(latencies, reverse=True), (key, latencies)
