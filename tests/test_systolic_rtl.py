"""systolic_array without Verilog simulators: the block's cycle model, its parameters, and the
Amaranth design in Amaranth's simulator against numpy, the engine's folds and the block model
(every dataflow, layers the array does not divide, a DRAM slower than the array)."""

from __future__ import annotations

import pytest

from hwsim.func.systolic_array import array_config, layer_command
from hwsim.rtl import systolic_array
from hwsim.rtlflow import RtlError
from hwsim.rtlflow.generate import ZERO_MEMORY_INIT, make_design
from hwsim.sim.blocks.systolic_array import LayerCommand, fold_cycles, layer_timing
from hwsim.sim.systolic.network import simulate_layer
from hwsim.spec.arch import load_arch_spec
from hwsim.spec.enums import Dataflow
from hwsim.testbench.systolic_stimulus import resnet18_layers, sized_down
from systolic_rtl_helpers import NARROW_DRAM, SMALL, run_amaranth


def test_fold_timing_hand_counted():
    # WS, 2x2 array, K = 3 rows (2 row folds: 2 + 1), N = 2 cols, M = 2 in time: a fold is
    # preload 2 + time 2 + skew 2 + 2 - 2 = 6 lines.  One line per beat (calc): the first
    # fold's buffers take 2 beats (cycles 1-2), are seen full in cycle 3, the fold starts in 4.
    cmd = LayerCommand(rows_dim=3, cols_dim=2, time=2, ext_rows=2, ext_cols=2)
    assert fold_cycles(Dataflow.WEIGHT_STATIONARY, cmd) == 6
    t = layer_timing(Dataflow.WEIGHT_STATIONARY, cmd, bandwidth_left=2, bandwidth_top=2, bandwidth_out=2)
    assert t.starts == (4, 10) and t.stall_cycles == 0 and t.cycles == 11
    # one word per beat: fold 1's left buffer needs 2 lines x 1 beat, its top buffer only one
    # row of two words (2 beats) -- both refill under fold 0, so still no stall
    slow = layer_timing(Dataflow.WEIGHT_STATIONARY, cmd, bandwidth_left=1, bandwidth_top=1, bandwidth_out=1)
    assert slow.starts[0] == 6 and slow.stall_cycles == 0
    # single buffered, fold 1's buffers refill only after fold 0 ends: the array waits
    single = layer_timing(Dataflow.WEIGHT_STATIONARY, cmd, bandwidth_left=1, bandwidth_top=1, bandwidth_out=1,
                          halves=1)
    assert single.stall_cycles > 0


@pytest.mark.parametrize("dataflow", ["ws", "os", "is"])
def test_command_is_the_engines_fold_schedule(dataflow):
    # the sized-down ResNet-18 layer on 4x4: the RTL's layer cycles (calc DRAM) are the engine's
    spec = load_arch_spec("systolic-32x32-ws", {**SMALL, "dataflow": dataflow})
    config = array_config(spec, systolic_array.default_params(spec))
    layer = sized_down(resnet18_layers()[1], C=3, K=6, P=3, Q=3)
    from hwsim.sim.systolic.folds import GemmShape

    cmd = layer_command(config, spec, GemmShape.of_layer(layer))
    timing = layer_timing(config.dataflow, cmd, bandwidth_left=4, bandwidth_top=4, bandwidth_out=4)
    assert timing.stall_cycles == 0
    assert timing.cycles == simulate_layer(layer, spec).cycles


@pytest.mark.parametrize(("overrides", "stalls"), [
    ({"dataflow": "ws", **NARROW_DRAM}, True),
    ({"dataflow": "os", **NARROW_DRAM}, True),
    ({"dataflow": "is", **NARROW_DRAM}, True),
    # single buffered, every fold uses the whole array, DRAM of 3 / 1 / 2 words per cycle
    ({"dataflow": "ws", "array.bypass_unused": False, "sram.double_buffered": False, "buffer_model": "fold",
      "dram.ifmap_words_per_cycle": 3, "dram.filter_words_per_cycle": 1, "dram.ofmap_words_per_cycle": 2}, True),
    ({"dataflow": "is"}, False),
])
def test_whole_layers_in_amaranth_equal_numpy_engine_and_model(overrides, stalls):
    result = run_amaranth({**SMALL, **overrides})
    assert result["done"] and result["output_mismatches"] == 0 and result["cycle_mismatches"] == 0, \
        result["first_mismatches"]
    layers = result["layers"]
    assert len(layers) >= 2
    assert (sum(layer["stall_cycles"] for layer in layers) > 0) == stalls
    # the engine's own numbers, as `hwsim simulate` reports them (checked against the RTL above)
    for layer in layers:
        assert layer["engine_cycles"] == layer["compute_cycles"] + layer["stall_cycles"]
        if overrides.get("buffer_model") == "fold":
            assert layer["engine_prefetch_cycles"] == layer["before_cycles"] + layer["after_cycles"]


def test_fold_buffer_model_in_the_engine():
    # hwsim simulate with buffer_model fold: the RTL's stalls in a whole network; analytic
    # (everything fits the 1 KB halves) says none for these layers
    from hwsim.api import load_network
    from hwsim.sim.systolic.network import simulate_network
    from hwsim.sim.systolic.fold_buffers import words_per_beat

    narrow = {**SMALL, "dram.ifmap_words_per_cycle": 1, "dram.filter_words_per_cycle": 2,
              "dram.ofmap_words_per_cycle": 1}
    fold = load_arch_spec("systolic-32x32-ws", {**narrow, "buffer_model": "fold"})
    assert words_per_beat(fold) == {"ifmap": 1, "filter": 2, "ofmap": 1}
    layer = sized_down(resnet18_layers()[1], C=3, K=6, P=3, Q=3)
    stats = simulate_layer(layer, fold)
    assert (stats.compute_cycles, stats.other_cycles, stats.extra["prefetch_cycles"]) == (251, 216, 66)
    assert simulate_layer(layer, load_arch_spec("systolic-32x32-ws", narrow)).other_cycles == 0
    # mlp's layers stream one input (M = 1): a fold is 11 lines, its 4x4 filter tile refills
    # in 16 beats at one word per cycle -- 5 stall cycles per fold
    slow = load_arch_spec("systolic-32x32-ws", {**narrow, "buffer_model": "fold", "dram.filter_words_per_cycle": 1})
    report = simulate_network(load_network("mlp"), slow)
    assert sum(r.stall_cycles for r in report.layers) > 0
    assert report.total.cycles == sum(r.compute_cycles + r.stall_cycles for r in report.layers)
    # no loop nest: the default is none, and one given is refused before it is read
    from hwsim.errors import SimulationError
    from hwsim.sim.systolic.network import default_mapping

    assert default_mapping(load_network("mlp"), fold) is None
    with pytest.raises(SimulationError, match=r"buffer_model fold .* not a loop nest; drop --mapping"):
        simulate_network(load_network("mlp"), fold, mapping=object())


@pytest.mark.parametrize(("dataflow", "fault", "what"), [
    # output stationary: on Icarus (tests/cosim/test_systolic_array.py)
    ("ws", "fold_off_by_one", "cycle"), ("ws", "drops_partial_sum", "output"),
])
def test_faulty_arrays_fail(dataflow, fault, what):
    result = run_amaranth({**SMALL, "dataflow": dataflow}, {"fault": fault})
    wrong = result["cycle_mismatches"] if what == "cycle" else result["output_mismatches"]
    right = result["output_mismatches"] if what == "cycle" else result["cycle_mismatches"]
    assert wrong > 0 and right == 0, result["first_mismatches"]


@pytest.mark.parametrize(("params", "overrides", "message"), [
    ({"act_bits": 16}, {}, r"act_bits = 16 is wider than the spec's 8-bit word"),
    ({"max_time": 5000}, SMALL, r"max_time must be an integer in \[1, 128\], not 5000"),
    ({}, {**SMALL, "sram.filter_kb": 1, "array.rows": 32, "array.cols": 32},
     r"sram.filter_kb = 1 KB holds 512 words per fold buffer, less than the 32x32 stationary tile"),
    ({"model": "resnet18"}, SMALL, r"--layer and --model go together"),
    ({"model": "resnet18", "layer": "pool1"}, SMALL, r"layer 'pool1' of 'resnet18' is a maxpool layer"),
    ({"fault": "nope"}, SMALL, r"fault must be None or one of"),
    ({"model": "resnet18", "layer": "layer1.0.conv1"}, SMALL,
     r"the layer streams 3136 M elements per fold, more than the 128 lines its fold buffers hold"),
])
def test_bad_parameters_are_one_sentence(params, overrides, message):
    with pytest.raises(RtlError, match=rf"^RTL block 'systolic_array' with parameters .*: {message}"):
        make_design("systolic_array", params=params, overrides=overrides)


def test_a_layer_longer_than_the_buffers_is_named():
    spec = load_arch_spec("systolic-32x32-ws", SMALL)
    config = array_config(spec, systolic_array.default_params(spec))
    from hwsim.sim.systolic.folds import GemmShape

    with pytest.raises(ValueError, match=r"^the layer streams 3136 M elements per fold, more than the 128 lines"):
        layer_command(config, spec, GemmShape(M=3136, N=64, K=576))


def test_zero_memory_initializers_are_left_out():
    # Amaranth writes one initializer line per memory word; the array never reads a word it
    # has not written, so they are dropped (1,500 of 4,700 lines here)
    design = make_design("systolic_array", overrides={**SMALL, "array.rows": 2, "array.cols": 2})
    assert "initial begin" in ZERO_MEMORY_INIT.pattern and not ZERO_MEMORY_INIT.search(design.verilog)
    assert design.verilog.count("\n") < 4000


def test_bram_estimate_hand_counted():
    from hwsim.cost.fpga_systolic import bram36, systolic_array_resources

    assert bram36(64, 8, 8) == 0                 # LUT RAM
    assert bram36(1024, 4, 8) == 1               # four 8-bit lanes in one 1K x 36
    assert bram36(16384, 16, 8) == 64            # 16 lanes, 16K deep: 4 wide x 16 deep (never 4K x 9 with split lanes)
    assert bram36(8192, 1, 32) == 8              # 8K x 4, eight side by side
    # 8x8 WS with the preset's 512/512/256 KB: the left buffer 2 x 16384 lines of 8 lanes (64),
    # 8 columns x 2 halves of 16384-deep 32-bit tiles (16 each): 320, as Yosys maps it
    spec = load_arch_spec("systolic-32x32-ws", {"array.rows": 8, "array.cols": 8})
    est = systolic_array_resources(spec, systolic_array.default_params(spec))
    assert (est.bram, est.dsp) == (320, 64)


@pytest.mark.parametrize("dataflow", ["ws", "os", "is"])
def test_fold_model_dram_words_are_the_rtls_stream_words(dataflow):
    # every word the RTL's DRAM streams carry (fold by fold, operands reloaded per fold) is a
    # DRAM word of the engine's fold model, and the reloads make it more than analytic's
    from hwsim.func.systolic_array import dram_beats, output_beats
    from hwsim.sim.systolic.folds import GemmShape

    import numpy as np

    # one word per beat: no beat carries padding lanes
    one_word = {f"dram.{name}_words_per_cycle": 1 for name in ("ifmap", "filter", "ofmap")}
    spec = load_arch_spec("systolic-32x32-ws", {**SMALL, **one_word, "buffer_model": "fold", "dataflow": dataflow})
    config = array_config(spec, systolic_array.default_params(spec))
    layer = sized_down(resnet18_layers()[1], C=3, K=6, P=3, Q=3)
    shape = GemmShape.of_layer(layer)
    cmd = layer_command(config, spec, shape)
    ifmap = np.ones((shape.M, shape.K), dtype=np.int64)
    filt = np.ones((shape.K, shape.N), dtype=np.int64)
    streamed = {name: sum(len(beat) for beat in beats) for name, beats in dram_beats(config, cmd, ifmap, filt).items()}
    streamed["ofmap"] = sum(len(beat) for beat in output_beats(config, cmd, ifmap, filt))
    fold = simulate_layer(layer, spec).extra
    analytic = simulate_layer(layer, load_arch_spec("systolic-32x32-ws", {**SMALL, "dataflow": dataflow})).extra
    # the engine counts words of the spec's word width: 2-bit ternary weights fill a quarter word
    weight_words = analytic["filter_dram_reads"] / (shape.K * shape.N)
    assert weight_words == 0.25
    assert fold["ifmap_dram_reads"] == streamed["ifmap"]
    assert fold["filter_dram_reads"] == streamed["filter"] * weight_words
    assert fold["ofmap_dram_writes"] == streamed["ofmap"] == analytic["ofmap_dram_writes"] == shape.M * shape.N
    assert fold["ifmap_dram_reads"] + fold["filter_dram_reads"] > \
        analytic["ifmap_dram_reads"] + analytic["filter_dram_reads"]
