"""Each family's loop-nest target and the layers the mapper takes from each kind of workload."""

import numpy as np
import pytest

from hwsim import api
from hwsim.mapping.network import map_network, mappable_layers
from hwsim.mapping.target_fpga import fpga_target
from hwsim.mapping.target_imc import imc_target
from hwsim.spec.enums import Objective


def test_fpga_target_is_the_dsp_pool_under_bram_and_dram():
    arch = api.load_arch("sparse-attn-fpga")
    layer = mappable_layers(api.load_network("tiny-encoder"), arch)[0]
    t = fpga_target(arch, layer)
    assert (t.rows, t.cols) == (64, 128)  # 4096 DSP x 2 MACs; rows the power of two below sqrt(8192)
    assert [level.name for level in t.levels] == ["dsp_reg", "bram", "dram"]
    assert t.levels[2].bandwidth_words_per_cycle == pytest.approx(64e9 / 200e6)  # 64 GB/s at 200 MHz, 1-byte words
    assert t.levels[1].capacity_words == 9840 * 4608


def test_imc_target_columns_hold_activations_and_sums():
    arch = api.load_arch("fat")
    layer = api.load_network("resnet18").layer("layer1.0.conv1")
    t = imc_target(arch, layer)
    assert (t.rows, t.cols) == (512, 256)  # 8 banks x 64 subarrays; 256 columns each
    assert t.levels[0].holds == (False, True, True) and t.levels[0].capacity_words == 512 // 8
    sum_bits = int(64 * 9 * 255).bit_length() + 1  # signed sum of 576 8-bit activations
    assert t.mac_cycles == sum_bits * arch.bit_step_cycles


def test_transformer_lowers_to_projections_and_attention_products():
    workload, arch = api.load_network("tiny-encoder"), api.load_arch("sparse-attn-fpga")
    layers = mappable_layers(workload, arch)
    names = [layer.name for layer in layers[:6]]
    assert names == ["enc0.qkv", "enc0.attn.qk", "enc0.attn.av", "enc0.out", "enc0.ffn1", "enc0.ffn2"]
    longest = int(np.max(workload.lengths))
    qk, av = layers[1], layers[2]
    assert (qk.N, qk.G, qk.K, qk.C, qk.P) == (1, 4, longest, 32, longest)
    assert av.C == min(16, longest)  # top-k keeps 16 keys per query: the value product reduces over them
    mapping = map_network(workload, arch, objective=Objective.LATENCY, budget=2000)
    assert len(mapping.layers) == 12 and mapping.layers[1].mapping.latency_cycles > 0
    # equal shapes are searched once and get the same nest
    assert mapping.layers[0].mapping is mapping.layers[6].mapping


def test_conv_network_on_imc_maps_every_weighted_layer():
    net, arch = api.load_network("resnet18"), api.load_arch("fat")
    mapping = map_network(net, arch, objective=Objective.ENERGY, budget=500)
    assert [m.name for m in mapping.layers] == [layer.name for layer in net.layers if layer.macs > 0]
    for m in mapping.layers:
        sp = np.array(m.mapping.spatial)
        assert np.prod(sp[[1, 2, 5, 6]]) <= 512 and np.prod(sp[[0, 3, 4]]) <= 256


@pytest.mark.parametrize("preset, rows, cols, stationary", [
    ("systolic-32x32-ws", ("C", "R", "S"), ("K",), "filter_sram"),
    ("systolic-32x32-os", ("N", "P", "Q"), ("K",), "ofmap_sram"),
])
def test_systolic_target_follows_the_spec_dataflow(preset, rows, cols, stationary):
    from hwsim.mapping.target_systolic import systolic_target

    arch = api.load_arch(preset)
    layer = api.load_network("resnet18").layer("layer2.0.conv2")
    t = systolic_target(arch, layer)
    assert (t.row_dims, t.col_dims, t.rows, t.cols) == (rows, cols, 32, 32)
    names = [level.name for level in t.levels]
    assert names[0] == "pe_reg" and names[1] == stationary and names[-1] == "dram"
    assert sorted(names[1:4]) == ["filter_sram", "ifmap_sram", "ofmap_sram"]
    assert t.levels[names.index("ifmap_sram")].capacity_words == 512 * 1024  # 512 KB of 1-byte words
    m = map_network(api.load_network("mlp"), arch, objective=Objective.LATENCY, budget=3000)
    # dense MACs over 1024 PEs bound every layer's cycles from below
    assert all(x.mapping.latency_cycles >= x.layer.macs / 1024 for x in m.layers)


def test_attention_stage_rows_carry_both_products_nests(tmp_path):
    from hwsim.mapping.mapfile import write_mapping_file

    workload, arch = api.load_network("tiny-encoder"), api.load_arch("sparse-attn-fpga")
    mapping = map_network(workload, arch, objective=Objective.LATENCY, budget=2000)
    path = tmp_path / "t.yaml"
    write_mapping_file(path, mapping)
    rows = {row.name: row for row in api.simulate(workload, arch, mapping=path).layers}
    attn = rows["enc0.attn"].extra
    assert attn["loopnest"].startswith("qk: ") and "; av: " in attn["loopnest"]
    qk, av = mapping.get("enc0.attn.qk"), mapping.get("enc0.attn.av")
    assert attn["loopnest_latency_cycles"] == qk.mapping.latency_cycles + av.mapping.latency_cycles
    assert rows["enc0.qkv"].extra["loopnest_energy_pj"] == mapping.get("enc0.qkv").mapping.energy_pj


def test_systolic_weight_loading_bounds_a_batch_one_linear_layer():
    from hwsim.mapping.target_systolic import systolic_target

    arch = api.load_arch("systolic-32x32-ws")
    fc1 = api.load_network("mlp").layer("fc1")
    t = systolic_target(arch, fc1)
    assert [level.bandwidth_words_per_cycle for level in t.levels[1:4]] == [32.0, 32.0, 32.0]
    assert t.operand_scale == (2 / 8, 1.0, 1.0)  # a ternary weight fills a quarter of an 8-bit word
    best = map_network(api.load_network("mlp"), arch, objective=Objective.LATENCY, budget=3000).get("fc1")
    # each weight is used once at batch 1: every one of the 256 x 784 weights crosses the 32-wide top edge,
    # four 2-bit weights to a word
    assert best.mapping.latency_cycles >= 256 * 784 / 32 / 4
