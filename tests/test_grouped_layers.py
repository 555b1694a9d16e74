"""Grouped and depthwise convolutions in every family: IMC work units, systolic groups, the mapper's G."""

import numpy as np
import pytest

from hwsim import api
from hwsim.mapping.imc import map_layer
from hwsim.mapping.network import map_network
from hwsim.sim.imc.engine import simulate_layer as imc_layer
from hwsim.sim.systolic.network import simulate_layer as systolic_layer
from hwsim.spec.enums import Objective
from hwsim.workload.layers import Layer, LayerKind, Quant
from hwsim.workload.network import Network


def _grouped(groups: int, k: int = 2, c: int = 3) -> Layer:
    return Layer("g", LayerKind.CONV, 1, k, c, 8, 8, 3, 3, 1, 1, ("",), 8, Quant.ternary(), G=groups)


def _weights(layer: Layer, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(-1, 2, size=layer.weight_shape).astype(np.int8)


@pytest.mark.parametrize("arch", ["fat", "parapim"])
def test_imc_groups_do_the_work_of_separate_layers(arch):
    """G groups issue exactly the additions and loads of G separate layers, dealt to one array."""
    spec = api.load_arch(arch)
    layer = _grouped(4)
    w = _weights(layer)
    single = Layer("s", LayerKind.CONV, 1, 2, 3, 8, 8, 3, 3, 1, 1, ("",), 8, Quant.ternary())
    tiling = map_layer(single, spec, 0.7)  # the mapper weighs G groups differently: give both one tiling
    together = imc_layer(layer, w, spec, tiling=tiling)
    apart = [imc_layer(single, w[2 * g: 2 * g + 2], spec, tiling=tiling) for g in range(4)]
    for key in ("subarray.row_write", "skip_unit.scan", "weight_buffer.read", "sense_amp.sense"):
        assert together.counts[key] == sum(s.counts[key] for s in apart), key
    assert together.macs == sum(s.macs for s in apart) == 4 * 2 * 3 * 8 * 8 * 9
    # the groups share the subarrays: never slower than running them one after another
    assert together.cycles <= sum(s.cycles for s in apart)
    searched = imc_layer(layer, w, spec)
    assert searched.cycles <= sum(imc_layer(single, w[2 * g: 2 * g + 2], spec).cycles for g in range(4))


def test_depthwise_on_systolic_is_channel_by_channel():
    spec = api.load_arch("systolic-32x32-ws")
    depthwise = Layer("dw", LayerKind.CONV, 1, 1, 1, 14, 14, 3, 3, 1, 1, ("",), 8, Quant.ternary(), G=16)
    one = Layer("ch", LayerKind.CONV, 1, 1, 1, 14, 14, 3, 3, 1, 1, ("",), 8, Quant.ternary())
    a, b = systolic_layer(depthwise, spec), systolic_layer(one, spec)
    assert a.compute_cycles == 16 * b.compute_cycles and a.macs == 16 * b.macs
    assert a.counts["ifmap_sram.read"] == 16 * b.counts["ifmap_sram.read"] and a.extra["groups"] == 16


def test_mapper_unrolls_groups_where_the_hardware_allows():
    depthwise = Layer("dw", LayerKind.CONV, 1, 1, 1, 14, 14, 3, 3, 1, 1, ("",), 8, Quant.ternary(), G=32)
    net = Network("dw", (depthwise,), {"dw": _weights(depthwise)})
    imc = map_network(net, api.load_arch("fat"), objective=Objective.LATENCY, budget=5000).get("dw")
    systolic = map_network(net, api.load_arch("systolic-32x32-ws"), objective=Objective.LATENCY,
                           budget=5000).get("dw")
    g = imc.mapping.spatial[-1], systolic.mapping.spatial[-1]  # G is the last loop dimension
    assert g[0] > 1  # independent subarrays take different groups at once
    assert g[1] == 1  # a systolic array runs the groups in time
    for m in (imc, systolic):
        assert int(np.prod([f[-1] for f in m.mapping.factors])) * m.mapping.spatial[-1] == 32
