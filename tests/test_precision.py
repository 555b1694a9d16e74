"""Operand widths reach the systolic energy, traffic, cycles and the mapper's capacities."""

import pytest

from hwsim import api
from hwsim.mapping.target_systolic import systolic_target
from hwsim.sim.systolic.network import simulate_layer
from hwsim.workload.layers import Layer, LayerKind, Quant, QuantKind
from hwsim.workload.onnx import OnnxOptions, load_onnx
from hwsim.workload.precision import mac_energy_scale, mac_passes, word_scale
from onnx_graphs import conv_model


def _conv(weight: Quant, act_bits: int) -> Layer:
    return Layer("c", LayerKind.CONV, 1, 64, 32, 14, 14, 3, 3, 1, 1, ("",), act_bits, weight)


def test_width_rules():
    int4, fp32 = _conv(Quant(QuantKind.INT, 4), 8), _conv(Quant(QuantKind.FLOAT, 32), 32)
    assert word_scale(int4, 8) == (0.5, 1.0, 1.0) and mac_energy_scale(int4, 8) == 0.5 and mac_passes(int4, 8) == 1
    assert word_scale(fp32, 8) == (4.0, 4.0, 4.0) and mac_energy_scale(fp32, 8) == 16 and mac_passes(fp32, 8) == 16


@pytest.fixture(scope="module")
def arch():
    return api.load_arch("systolic-32x32-ws", overrides={"dram": {"ifmap_words_per_cycle": 4,
                                                                  "filter_words_per_cycle": 4,
                                                                  "ofmap_words_per_cycle": 4}})


def test_fold_model_prices_each_operand_at_its_width(arch):
    int8 = simulate_layer(_conv(Quant(QuantKind.INT, 8), 8), arch)
    int4 = simulate_layer(_conv(Quant(QuantKind.INT, 4), 8), arch)
    assert int4.counts["filter_sram.read"] == int8.counts["filter_sram.read"] / 2
    assert int4.counts["dram.filter_read"] == int8.counts["dram.filter_read"] / 2
    assert int4.counts["ifmap_sram.read"] == int8.counts["ifmap_sram.read"]
    assert int4.counts["pe.mac"] == int8.counts["pe.mac"] / 2
    assert int4.compute_cycles == int8.compute_cycles
    fp32 = simulate_layer(_conv(Quant(QuantKind.FLOAT, 32), 32), arch)
    assert fp32.compute_cycles == 16 * int8.compute_cycles and "16 passes per MAC" in fp32.mapping
    assert fp32.counts["dram.ifmap_read"] == 4 * int8.counts["dram.ifmap_read"]


def test_mapper_capacity_counts_bits(arch):
    narrow = systolic_target(arch, _conv(Quant(QuantKind.INT, 4), 8))
    wide = systolic_target(arch, _conv(Quant(QuantKind.INT, 8), 8))
    assert narrow.operand_scale == (0.5, 1.0, 1.0) and wide.operand_scale == (1.0, 1.0, 1.0)
    assert narrow.mac_energy_pj == wide.mac_energy_pj / 2
    network = api.load_network("mlp")
    a = api.map_network(network, arch, objective="energy", budget=2000)
    assert all(m.target.operand_scale == (0.25, 1.0, 1.0) for m in a.layers)  # the mlp's ternary weights


def test_int8_qdq_model_is_cheaper_than_the_float_one_on_systolic(tmp_path, arch):
    path, _ = conv_model(tmp_path / "c.onnx", (1, 16, 14, 14), (32, 16, 3, 3), pads=[1, 1, 1, 1])
    float_report = api.simulate(load_onnx(path), arch)
    int8_report = api.simulate(load_onnx(path, OnnxOptions(quantize=Quant(QuantKind.INT, 8))), arch)
    assert float_report.total.macs == int8_report.total.macs
    ratio = float_report.total.energy_pj / int8_report.total.energy_pj
    assert 4 < ratio < 16  # traffic 4x, MACs 16x
    assert float_report.total.cycles > int8_report.total.cycles
