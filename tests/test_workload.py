"""Networks from the zoo and from model files: shapes, MAC counts, real weight tensors, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hwsim.errors import WorkloadError
from hwsim.workload.layers import LayerKind, Quant, QuantKind
from hwsim.workload.zoo import load_network, model_names, resolve_model_path

MLP_PATH = str(resolve_model_path("mlp"))

TINY_HEAD_BATCH4 = """\
schema: hwsim.model/1
name: tiny
input: {channels: 1, height: 4, width: 4, batch: 4}
quant: {weights: ternary, act_bits: 8}
workload: {weight_sparsity: 0.5, seed: 0}
"""

TINY_MODEL_WITH_COLOUR = """\
colour: red
layers:
  - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
"""


def _square(values):
    """The one value of a stride or padding that is the same on every side (as YAML models give it)."""
    assert len(set(values)) == 1, values
    return values[0]


def _dims(layer):
    return dict(N=layer.N, K=layer.K, C=layer.C, P=layer.P, Q=layer.Q, R=layer.R, S=layer.S,
                stride=_square(layer.stride), padding=_square(layer.padding))


@pytest.fixture(scope="module")
def resnet18():
    return load_network("resnet18")


# --- the zoo ---------------------------------------------------------------------------------


def test_zoo_lists_models():
    assert {"mlp", "resnet18", "vgg16"} <= set(model_names())


def test_resnet18_has_imagenet_mac_count_and_31_layers(resnet18):
    assert resnet18.macs == 1_814_073_344
    assert len(resnet18.layers) == 31
    assert sum(1 for layer in resnet18.layers if layer.weight_quant is not None) == 21  # 20 conv + fc


def test_resnet18_mac_count_by_hand(resnet18):
    """Sum K*C*P*Q*R*S over the convolutions and the classifier, written out stage by stage."""
    macs = 64 * 3 * 112 * 112 * 7 * 7                       # conv1, 224 -> 112
    macs += 4 * 64 * 64 * 56 * 56 * 9                       # layer1: four 3x3 convs at 56x56
    macs += 128 * 64 * 28 * 28 * 9 + 3 * 128 * 128 * 28 * 28 * 9 + 128 * 64 * 28 * 28  # layer2 (+1x1 downsample)
    macs += 256 * 128 * 14 * 14 * 9 + 3 * 256 * 256 * 14 * 14 * 9 + 256 * 128 * 14 * 14
    macs += 512 * 256 * 7 * 7 * 9 + 3 * 512 * 512 * 7 * 7 * 9 + 512 * 256 * 7 * 7
    macs += 1000 * 512                                      # fc
    assert resnet18.macs == macs


def test_resnet18_shapes_propagate(resnet18):
    assert _dims(resnet18.layer("conv1")) == dict(N=1, K=64, C=3, P=112, Q=112, R=7, S=7, stride=2, padding=3)
    assert _dims(resnet18.layer("pool1")) == dict(N=1, K=64, C=64, P=56, Q=56, R=3, S=3, stride=2, padding=1)
    assert _dims(resnet18.layer("layer1.0.conv1")) == dict(N=1, K=64, C=64, P=56, Q=56, R=3, S=3, stride=1, padding=1)
    assert _dims(resnet18.layer("layer2.0.conv1")) == dict(N=1, K=128, C=64, P=28, Q=28, R=3, S=3, stride=2, padding=1)
    assert _dims(resnet18.layer("layer2.0.downsample")) == dict(N=1, K=128, C=64, P=28, Q=28, R=1, S=1, stride=2, padding=0)
    assert _dims(resnet18.layer("layer4.1.conv2")) == dict(N=1, K=512, C=512, P=7, Q=7, R=3, S=3, stride=1, padding=1)
    assert _dims(resnet18.layer("avgpool")) == dict(N=1, K=512, C=512, P=1, Q=1, R=7, S=7, stride=1, padding=0)
    assert _dims(resnet18.layer("fc")) == dict(N=1, K=1000, C=512, P=1, Q=1, R=1, S=1, stride=1, padding=0)


def test_resnet18_residual_wiring(resnet18):
    add = resnet18.layer("layer2.0.add")
    assert add.kind is LayerKind.ADD
    assert add.inputs == ("layer2.0.conv2", "layer2.0.downsample")
    assert (add.K, add.P, add.Q) == (128, 28, 28)
    assert add.macs == 0 and add.weight_quant is None
    assert resnet18.layer("layer2.0.downsample").inputs == ("layer1.1.add",)
    assert resnet18.layer("layer1.0.conv2").inputs == ("layer1.0.conv1",)  # default: the previous layer


def test_resnet18_weights_are_ternary_int8(resnet18):
    assert set(resnet18.weights) == {layer.name for layer in resnet18.layers if layer.weight_quant is not None}
    for layer in resnet18.layers:
        if layer.weight_quant is None:
            assert layer.name not in resnet18.weights
            continue
        w = resnet18.weights[layer.name]
        assert w.dtype == np.int8
        assert w.shape == layer.weight_shape
        assert set(np.unique(w).tolist()) <= {-1, 0, 1}
        assert layer.weight_quant == Quant(QuantKind.TERNARY, 2)


def test_vgg16_cifar10_shapes_and_macs():
    net = load_network("vgg16")
    assert net.dataset == "cifar10"
    assert len(net.layers) == 21
    assert _dims(net.layer("conv1")) == dict(N=1, K=64, C=3, P=32, Q=32, R=3, S=3, stride=1, padding=1)
    assert _dims(net.layer("conv3")) == dict(N=1, K=128, C=64, P=16, Q=16, R=3, S=3, stride=1, padding=1)
    assert _dims(net.layer("conv13")) == dict(N=1, K=512, C=512, P=2, Q=2, R=3, S=3, stride=1, padding=1)
    assert _dims(net.layer("pool5"))["P"] == 1
    assert _dims(net.layer("fc1")) == dict(N=1, K=512, C=512, P=1, Q=1, R=1, S=1, stride=1, padding=0)
    assert _dims(net.layer("fc3"))["K"] == 10
    # (C, K, output side) of the 13 convs, then the three fc layers
    convs = [(3, 64, 32), (64, 64, 32), (64, 128, 16), (128, 128, 16), (128, 256, 8), (256, 256, 8), (256, 256, 8),
             (256, 512, 4), (512, 512, 4), (512, 512, 4), (512, 512, 2), (512, 512, 2), (512, 512, 2)]
    macs = sum(c * k * side * side * 9 for c, k, side in convs) + 512 * 512 + 512 * 512 + 512 * 10
    assert net.macs == macs == 313_725_952


def test_mlp_flattens_the_image():
    net = load_network("mlp")
    assert [(layer.name, layer.kind, layer.C, layer.K) for layer in net.layers] == [
        ("fc1", LayerKind.LINEAR, 784, 256), ("fc2", LayerKind.LINEAR, 256, 128), ("fc3", LayerKind.LINEAR, 128, 10),
    ]
    assert net.macs == 784 * 256 + 256 * 128 + 128 * 10
    assert net.layer("fc1").output_pixels == 1


def test_unknown_layer_name_raises_key_error():
    with pytest.raises(KeyError):
        load_network("mlp").layer("fc9")


# --- generated weights -----------------------------------------------------------------------


@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.8, 0.9])
def test_measured_sparsity_matches_requested(sparsity):
    net = load_network("mlp", {"weight_sparsity": sparsity})
    assert net.weight_sparsity_requested == sparsity
    assert abs(net.weight_sparsity() - sparsity) < 0.005
    zeros = sum(int((w == 0).sum()) for w in net.weights.values())
    total = sum(w.size for w in net.weights.values())
    assert net.weight_sparsity() == zeros / total


def test_non_zero_weights_are_balanced_between_signs():
    w = np.concatenate([w.ravel() for w in load_network("mlp", {"weight_sparsity": 0.5}).weights.values()])
    plus, minus = int((w == 1).sum()), int((w == -1).sum())
    assert abs(plus - minus) < 0.02 * (plus + minus)


def test_zero_sparsity_gives_no_zeros():
    net = load_network("mlp", {"weight_sparsity": 0.0})
    assert all(np.count_nonzero(w) == w.size for w in net.weights.values())


def test_same_seed_same_tensors():
    a = load_network("mlp", {"seed": 7})
    b = load_network("mlp", {"seed": 7})
    assert a.seed == 7
    for name in a.weights:
        np.testing.assert_array_equal(a.weights[name], b.weights[name])


def test_different_seed_different_tensors():
    a = load_network("mlp", {"seed": 7})
    b = load_network("mlp", {"seed": 8})
    for name in a.weights:
        assert not np.array_equal(a.weights[name], b.weights[name])


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5])
def test_impossible_sparsity_rejected(bad):
    with pytest.raises(WorkloadError, match=rf"^{re.escape(MLP_PATH)}: key 'workload\.weight_sparsity' = {re.escape(repr(bad))}: "):
        load_network("mlp", {"weight_sparsity": bad})


def test_sparsity_of_wrong_type_rejected():
    with pytest.raises(WorkloadError, match=rf"^{re.escape(MLP_PATH)}: key 'workload\.weight_sparsity' = 'half': .*valid number"):
        load_network("mlp", {"weight_sparsity": "half"})


def test_unknown_workload_option_rejected():
    with pytest.raises(WorkloadError, match=rf"^{re.escape(MLP_PATH)}: unknown key 'workload\.sparsity'$"):
        load_network("mlp", {"sparsity": 0.5})


def test_act_bits_override_changes_layers():
    net = load_network("mlp", {"act_bits": 4})
    assert {layer.act_bits for layer in net.layers} == {4}


# --- model files -----------------------------------------------------------------------------


def test_tiny_model_shapes(write_model):
    net = load_network(str(write_model()))
    assert net.name == "tiny"
    c1, c2, fc = net.layers
    assert _dims(c1) == dict(N=1, K=2, C=1, P=4, Q=4, R=3, S=3, stride=1, padding=1)
    assert _dims(c2) == dict(N=1, K=2, C=2, P=2, Q=2, R=3, S=3, stride=2, padding=1)  # (4 + 2 - 3) // 2 + 1 = 2
    assert _dims(fc) == dict(N=1, K=3, C=2 * 2 * 2, P=1, Q=1, R=1, S=1, stride=1, padding=0)
    assert net.macs == 2 * 1 * 16 * 9 + 2 * 2 * 4 * 9 + 3 * 8


def test_batch_is_the_n_dimension(write_model):
    head = TINY_HEAD_BATCH4
    net = load_network(str(write_model(head=head)))
    assert [layer.N for layer in net.layers] == [4, 4, 4]
    assert net.layer("fc").output_pixels == 4


def test_unknown_key_in_model_file_rejected(write_model):
    path = write_model(TINY_MODEL_WITH_COLOUR)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: unknown key 'colour'$"):
        load_network(str(path))


def test_unknown_key_in_layer_names_file_and_layer(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
          - {name: c2, type: conv, out: 2, kernel: 3, pad: 1, dilation: 2}
        """)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: .*\.dilation' \(layer 'c2'\)"):
        load_network(str(path))


def test_unknown_key_in_layer_names_file_and_key_path(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
          - {name: c2, type: conv, out: 2, kernel: 3, pad: 1, dilation: 2}
        """)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: unknown key 'layers\[1\]\.dilation' \(layer 'c2'\)$"):
        load_network(str(path))


def test_unknown_layer_type_rejected(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: deconv, out: 2, kernel: 3}
        """)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: key 'layers\[0\]\.type' = 'deconv': "):
        load_network(str(path))


def test_add_with_mismatched_shapes_rejected(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
          - {name: c2, type: conv, input: c1, out: 2, kernel: 3, stride: 2, pad: 1}
          - {name: sum, type: add, inputs: [c1, c2]}
        """)
    pattern = rf"^{re.escape(str(path))}: layer 'sum': input 'c2' has shape \(2, 2, 2\), 'c1' has \(2, 4, 4\)$"
    with pytest.raises(WorkloadError, match=pattern):
        load_network(str(path))


def test_add_with_matching_shapes_accepted(write_model):
    net = load_network(str(write_model("""\
        layers:
          - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
          - {name: c2, type: conv, out: 2, kernel: 3, pad: 1}
          - {name: sum, type: add, inputs: [c1, c2]}
        """)))
    assert _dims(net.layer("sum")) == dict(N=1, K=2, C=2, P=4, Q=4, R=1, S=1, stride=1, padding=0)


def test_add_with_one_input_rejected(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
          - {name: sum, type: add, inputs: [c1]}
        """)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: layer 'sum': an add layer needs 'inputs'"):
        load_network(str(path))


def test_input_naming_a_later_layer_rejected(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: conv, input: c2, out: 2, kernel: 3, pad: 1}
          - {name: c2, type: conv, out: 2, kernel: 3, pad: 1}
        """)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: layer 'c1': input 'c2' is not an earlier layer$"):
        load_network(str(path))


def test_duplicate_layer_name_rejected(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
          - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
        """)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: layer 'c1': the name is used twice$"):
        load_network(str(path))


def test_kernel_larger_than_input_rejected(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: conv, out: 2, kernel: 7}
        """)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: layer 'c1': kernel 7 with stride 1 and pad 0 does not fit a 4x4 input$"):
        load_network(str(path))


def test_conv_without_out_rejected(write_model):
    path = write_model("""\
        layers:
          - {name: c1, type: conv, kernel: 3}
        """)
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: layer 'c1': a conv layer needs 'out'$"):
        load_network(str(path))


def test_malformed_model_yaml_rejected(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("schema: hwsim.model/1\nlayers: [\n")
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: malformed YAML at line \d+, column \d+: "):
        load_network(str(path))


def test_missing_model_file_rejected(tmp_path):
    path = tmp_path / "none.yaml"
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(path))}: file not found$"):
        load_network(str(path))


def test_unknown_model_name_rejected():
    with pytest.raises(WorkloadError, match=r"^unknown model 'resnet19': not a packaged model \(.*mlp, resnet18, .*vgg16.*\) nor a "):
        load_network("resnet19")


# --- weights from .npz -----------------------------------------------------------------------


def _tiny_weights():
    rng = np.random.default_rng(3)
    return {
        "c1": rng.integers(-1, 2, size=(2, 1, 3, 3)).astype(np.int8),
        "c2": rng.integers(-1, 2, size=(2, 2, 3, 3)).astype(np.int8),
        "fc": rng.integers(-1, 2, size=(3, 8)).astype(np.int8),  # 2-D is accepted for a linear layer
    }


def test_npz_weights_are_used_exactly(tmp_path, write_model):
    weights = _tiny_weights()
    npz = tmp_path / "w.npz"
    np.savez(npz, **weights)
    net = load_network(str(write_model()), {"weights_file": str(npz)})
    assert net.weight_sparsity_requested is None
    np.testing.assert_array_equal(net.weights["c1"], weights["c1"])
    np.testing.assert_array_equal(net.weights["c2"], weights["c2"])
    np.testing.assert_array_equal(net.weights["fc"], weights["fc"].reshape(3, 8, 1, 1))
    assert all(w.dtype == np.int8 for w in net.weights.values())
    zeros = sum(int((w == 0).sum()) for w in weights.values())
    assert net.weight_sparsity() == zeros / (18 + 36 + 24)


def test_npz_path_relative_to_model_file(tmp_path, write_model):
    np.savez(tmp_path / "w.npz", **_tiny_weights())
    net = load_network(str(write_model()), {"weights_file": "w.npz"})
    np.testing.assert_array_equal(net.weights["c2"], _tiny_weights()["c2"])


def test_npz_with_wrong_shape_rejected(tmp_path, write_model):
    npz = tmp_path / "w.npz"
    np.savez(npz, **{**_tiny_weights(), "c2": np.ones((2, 1, 3, 3), np.int8)})
    pattern = rf"^{re.escape(str(npz))}: layer 'c2' weights have shape \(2, 1, 3, 3\), the layer needs \(2, 2, 3, 3\)$"
    with pytest.raises(WorkloadError, match=pattern):
        load_network(str(write_model()), {"weights_file": str(npz)})


def test_npz_missing_a_layer_rejected(tmp_path, write_model):
    npz = tmp_path / "w.npz"
    np.savez(npz, **{k: v for k, v in _tiny_weights().items() if k != "c2"})
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(npz))}: no array for layer 'c2'$"):
        load_network(str(write_model()), {"weights_file": str(npz)})


def test_npz_with_non_ternary_value_rejected(tmp_path, write_model):
    npz = tmp_path / "w.npz"
    fc = _tiny_weights()["fc"].copy()
    fc[1, 2] = 2
    np.savez(npz, **{**_tiny_weights(), "fc": fc})
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(npz))}: layer 'fc' holds value .*2.*not a ternary weight$"):
        load_network(str(write_model()), {"weights_file": str(npz)})


def test_npz_bad_value_quoted_as_plain_number(tmp_path, write_model):
    npz = tmp_path / "w.npz"
    fc = _tiny_weights()["fc"].copy()
    fc[0, 0] = 2
    np.savez(npz, **{**_tiny_weights(), "fc": fc})
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(npz))}: layer 'fc' holds value 2, not a ternary weight$"):
        load_network(str(write_model()), {"weights_file": str(npz)})


def test_missing_npz_rejected(tmp_path, write_model):
    npz = tmp_path / "none.npz"
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(npz))}: weight file not found$"):
        load_network(str(write_model()), {"weights_file": str(npz)})


def test_unreadable_npz_rejected(tmp_path, write_model):
    npz = tmp_path / "junk.npz"
    npz.write_text("not an archive")
    with pytest.raises(WorkloadError, match=rf"^{re.escape(str(npz))}: not a readable \.npz file"):
        load_network(str(write_model()), {"weights_file": str(npz)})


def test_oversized_npz_and_onnx_files_are_one_line_naming_the_limit(tmp_path, monkeypatch):
    # one wording for every input file over its size limit (the limits lowered to a few bytes)
    import numpy as np

    import hwsim.workload.npz as npz
    import hwsim.workload.onnx.graph as graph
    from hwsim.errors import WorkloadError

    path = tmp_path / "w.npz"
    np.savez(path, a=np.zeros(4))
    monkeypatch.setattr(npz, "MAX_NPZ_BYTES", 100)
    size = path.stat().st_size
    with pytest.raises(WorkloadError, match=rf"^{path}: {size:,} bytes is more than the 100 bytes limit of a weights "
                                            r"\.npz file$"):
        npz.npz_members(path)
    onnx_path = tmp_path / "m.onnx"
    onnx_path.write_bytes(b"x" * 200)
    monkeypatch.setattr(graph, "MAX_ONNX_BYTES", 100)
    with pytest.raises(WorkloadError, match=rf"^{onnx_path}: 200 bytes is more than the 100 bytes limit of an ONNX model$"):
        graph.read_model(onnx_path)


def test_a_vector_layer_may_hold_every_element_of_a_large_activation():
    # MobileNet-v2's first clips see 96 x 112 x 112 = 1,204,224 elements: an output size, not a loop bound
    from hwsim.errors import WorkloadError
    from hwsim.limits import MAX_OUTPUT_DIM
    from hwsim.workload.layers import Layer, LayerKind
    from hwsim.workload.sizes import check_layer_sizes
    from hwsim.workload.vector_ops import VectorOp

    def clip(elements: int) -> Layer:
        return Layer("clip", LayerKind.VECTOR, 1, elements, elements, 1, 1, 1, 1, 1, 0, (), 8, None,
                     vector_op=VectorOp.CLIP)

    check_layer_sizes([clip(1_204_224)], "m.onnx")
    with pytest.raises(WorkloadError, match=r"^m\.onnx: layer 'clip': K = 16,777,217 exceeds the limit of"):
        check_layer_sizes([clip(MAX_OUTPUT_DIM + 1)], "m.onnx")
