"""Transformers from ONNX: the attention pattern recognised, run on every family, equal to the YAML model."""

import numpy as np
import pytest
import yaml

from hwsim import api
from hwsim.cli import main
from hwsim.errors import SimulationError
from hwsim.workload.layers import LayerKind
from hwsim.workload.onnx import OnnxOptions, load_onnx
from onnx_graphs import conv_model, encoder_model, reference_macs


@pytest.mark.parametrize("pre_norm", [False, True], ids=["post-norm", "pre-norm"])
@pytest.mark.parametrize("fused", [False, True], ids=["separate Q/K/V", "fused QKV + Split"])
@pytest.mark.parametrize("batch", [1, 2])
def test_encoder_stack_is_recognised(tmp_path, fused, batch, pre_norm):
    path = encoder_model(tmp_path / "enc.onnx", layers=3, d=32, heads=4, d_ff=48, seq=12, batch=batch,
                         fused_qkv=fused, pre_norm=pre_norm)
    net = load_onnx(path, OnnxOptions(top_k=4))
    total, _ = reference_macs(path, {"x": np.zeros((batch, 12, 32), np.float32)})
    assert net.macs == total
    scores = next(layer for layer in net.layers if layer.kind is LayerKind.MATMUL)
    assert (scores.G, scores.P, scores.C, scores.K) == (batch * 4, 12, 8, 12)
    t = net.transformer.workload
    assert (t.d_model, t.heads, t.d_ff, t.encoder_layers, t.max_len, t.top_k) == (32, 4, 48, 3, 12, 4)
    assert t.lengths.tolist() == [12] * batch and net.transformer.outside == ()
    assert net.notes["transformer"] == "3 encoder blocks (d_model 32, 4 heads, d_ff 48, 12 tokens)"


def _yaml_twin(tmp_path, name, *, layers, d, heads, d_ff, seq, top_k, bits=8):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({
        "schema": "hwsim.transformer/1", "name": name,
        "model": {"d_model": d, "heads": heads, "d_ff": d_ff, "encoder_layers": layers, "max_len": seq},
        "quant": {"weight_bits": bits, "act_bits": bits, "qk_bits": 4},
        "workload": {"seq_lengths": [seq], "top_k": top_k}}))
    return path


@pytest.mark.parametrize("arch", ["sparse-attn-fpga", "dense-attn-fpga", "gpu-v100", "cpu-xeon-8180"])
def test_onnx_encoder_equals_the_same_model_in_yaml(tmp_path, arch):
    onnx_path = encoder_model(tmp_path / "enc.onnx", layers=2, d=64, heads=4, d_ff=128, seq=32)
    twin = _yaml_twin(tmp_path, "enc", layers=2, d=64, heads=4, d_ff=128, seq=32, top_k=8)
    spec = api.load_arch(arch)
    ours = api.simulate(api.load_network(str(onnx_path), quantize="int8", top_k=8), spec).to_dict()
    theirs = api.simulate(api.load_network(str(twin)), spec).to_dict()
    assert ours["layers"] == theirs["layers"] and ours["total"] == theirs["total"]


def test_encoder_runs_on_systolic_and_imc_as_layers(tmp_path):
    path = encoder_model(tmp_path / "enc.onnx", layers=1, d=32, heads=2, d_ff=64, seq=16)
    net = api.load_network(str(path), quantize="int8")
    report = api.simulate(net, api.load_arch("systolic-32x32-ws"))
    rows = {layer.name: layer for layer in report.layers}
    assert rows["matmul_scores0"].macs == 2 * 16 * 16 * 16 and rows["matmul_scores0"].cycles > 0
    assert rows["softmax_probs0"].cycles > 0 and "vector.op" in rows["softmax_probs0"].energy_breakdown_pj
    imc = api.simulate(api.load_network(str(path), quantize="ternary"), api.load_arch("fat"))
    products = imc.total.extra["not_priced_layers"]
    assert products["IMC arch 'fat' stores weights in memory and has no multiplier for a product of two activations"] == 2
    assert imc.total.macs == net.macs


def test_cnn_on_the_attention_family_says_why(tmp_path):
    path, _ = conv_model(tmp_path / "cnn.onnx", (1, 3, 8, 8), (4, 3, 3, 3))
    with pytest.raises(SimulationError, match=r"^model 'cnn' is not a Transformer \(its encoder stack: none: no "
                                              r"attention .*\); arch 'sparse-attn-fpga' \(attention\) runs "
                                              r"hwsim\.transformer/1 models and ONNX encoders$"):
        api.simulate(api.load_network(str(path)), api.load_arch("sparse-attn-fpga"))


def test_layers_outside_the_stack_are_listed_not_priced(tmp_path):
    import onnx
    from onnx import helper

    path = encoder_model(tmp_path / "enc.onnx", layers=1, d=32, heads=2, d_ff=64, seq=16)
    model = onnx.load(str(path))
    model.graph.initializer.append(onnx.numpy_helper.from_array(np.ones((32, 10), np.float32), "head_w"))
    last = model.graph.node[-1].output[0]
    model.graph.node.append(helper.make_node("MatMul", [last, "head_w"], ["logits"], name="classifier"))
    del model.graph.output[:]
    model.graph.output.append(helper.make_empty_tensor_value_info("logits"))
    onnx.save(model, str(path))
    net = api.load_network(str(path), quantize="int8", top_k=8)
    assert net.transformer.outside == ("classifier",)
    report = api.simulate(net, api.load_arch("sparse-attn-fpga"))
    row = report.layers[-1]
    assert (row.name, row.cycles, row.macs) == ("classifier", 0, 16 * 32 * 10)
    assert report.total.extra["not_priced_layers"] == {"outside the encoder stack this accelerator runs": 1}
    gpu = api.simulate(net, api.load_arch("gpu-v100"))  # a GPU runs anything: the head is one more kernel
    head = gpu.layers[-1]
    assert (head.name, head.macs) == ("classifier", 16 * 32 * 10) and head.latency_s > 0
    assert "not_priced_layers" not in gpu.total.extra


def test_cli_runs_an_onnx_encoder_with_seq_len(tmp_path, capsys):
    path = encoder_model(tmp_path / "enc.onnx", layers=1, d=32, heads=2, d_ff=64, seq=16, seq_dim="sequence")
    assert main(["simulate", "--model", str(path), "--arch", "sparse-attn-fpga", "--quiet",
                 "--set", "workload.quantize=int8", "--set", "workload.top_k=8"]) == 2
    assert "input 'x' dim 1 is symbolic ('sequence')" in capsys.readouterr().err
    assert main(["simulate", "--model", str(path), "--arch", "sparse-attn-fpga", "--quiet", "--set",
                 "workload.quantize=int8", "--set", "workload.top_k=8", "--set", "workload.seq_len=16"]) == 0
