"""Properties of the input readers under generated input (Hypothesis).

For any text, bytes or edit of a valid spec, a reader either returns a value or raises one
:class:`HwsimError` whose message is one line naming the input; never another exception.
Valid data read back equals what was written, and a generated ONNX chain of products is
imported with exactly the MACs counted by hand.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hwsim.errors import HwsimError
from hwsim.spec.arch import validate_arch
from hwsim.spec.loading import apply_override, read_yaml_mapping
from hwsim.spec.strict_yaml import load_yaml
from hwsim.workload.zoo import load_network_mapping

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                             HealthCheck.too_slow])
PRESETS = Path(__import__("hwsim").__file__).parent / "presets"
FAT = yaml.safe_load((PRESETS / "fat.yaml").read_text())
MODEL = {"schema": "hwsim.model/1", "name": "m", "input": {"channels": 1, "height": 8, "width": 8},
         "quant": {"weights": "ternary", "act_bits": 8}, "workload": {"weight_sparsity": 0.5, "seed": 0},
         "layers": [{"name": "c1", "type": "conv", "out": 2, "kernel": 3, "pad": 1},
                    {"name": "fc", "type": "linear", "out": 4}]}


def _one_line_naming(exc: HwsimError, origin: str) -> None:
    message = str(exc)
    assert "\n" not in message and message.strip() == message, repr(message)
    assert message.startswith(origin), message


# -- YAML ------------------------------------------------------------------------------------

YAML_PIECES = st.sampled_from(["a", "b", ":", " ", "\n", "- ", "&x ", "*x", "[", "]", "{", "}", ",", "'", '"', "#",
                               "!!", "? ", "|", ">", "---", "1", ".inf", "\t", "\0", "\ufeff", "\u2028", "é", "%YAML"])


@PROPERTY
@given(st.one_of(st.text(max_size=200), st.lists(YAML_PIECES, max_size=60).map("".join)))
def test_any_text_is_a_value_or_one_line_error(text):
    for as_text in (False, True):
        try:
            load_yaml(text, "doc.yaml", malformed_as_text=as_text)
        except HwsimError as exc:
            _one_line_naming(exc, "doc.yaml")


# PyYAML's emitter writes NEL and the Unicode line separators raw, which its reader then folds
# (a PyYAML round-trip limit, not hwsim's): the round-trip property leaves them out.
CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
KEYS = st.text(CHARS, min_size=1, max_size=8)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(CHARS, max_size=12))
JSON_LIKE = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(KEYS, inner, max_size=4)), max_leaves=20)


@PROPERTY
@given(st.dictionaries(KEYS, JSON_LIKE, max_size=6), st.sampled_from([None, True]), st.booleans())
def test_valid_data_reads_back_unchanged(data, flow, unicode):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=unicode, sort_keys=False)
    assert load_yaml(text, "doc.yaml") == data


@PROPERTY
@given(st.binary(max_size=300))
def test_any_bytes_as_a_yaml_file_are_a_mapping_or_one_line_error(tmp_path, data):
    path = tmp_path / "a.yaml"
    path.write_bytes(data)
    try:
        assert isinstance(read_yaml_mapping(path), dict)
    except HwsimError as exc:
        _one_line_naming(exc, str(path))


# -- specs: the packaged arch and a model with one key changed ---------------------------------

def _key_paths(data, prefix=""):
    """Every key path of ``data`` in ``--set`` form (list items by index)."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path
        yield from _key_paths(value, path)


ODD_VALUES = st.one_of(SCALARS, st.sampled_from([math.inf, -math.inf, math.nan, 10 ** 30, -1, 0, "", [], {}, "a\nb",
                                                 "x" * 300, "\x1b[2J"]),
                       st.lists(SCALARS, max_size=3), st.dictionaries(KEYS, SCALARS, max_size=2))


def _set_then_validate(base, validate_data, key, value, origin):
    try:
        data = apply_override(copy.deepcopy(base), key, value, origin)
        validate_data(data)
    except HwsimError as exc:
        _one_line_naming(exc, origin)


@PROPERTY
@given(st.sampled_from(sorted(_key_paths(FAT))), ODD_VALUES)
def test_arch_with_any_key_changed_is_a_spec_or_one_line_error(key, value):
    _set_then_validate(FAT, lambda data: validate_arch(data, "fat.yaml"), key, value, "fat.yaml")


@PROPERTY
@given(st.sampled_from(sorted(_key_paths(MODEL))), ODD_VALUES)
def test_model_with_any_key_changed_is_a_network_or_one_line_error(tmp_path, key, value):
    origin = str(tmp_path / "m.yaml")
    _set_then_validate(MODEL, lambda data: load_network_mapping(data, {}, tmp_path / "m.yaml"), key, value, origin)


# -- ONNX ------------------------------------------------------------------------------------

onnx = pytest.importorskip("onnx", reason="the [onnx] extra is part of [dev]")
from onnx import TensorProto, helper  # noqa: E402

from hwsim.workload.onnx import load_onnx  # noqa: E402


@st.composite
def conv_chains(draw):
    """A Conv (+ Relu) chain and a final Gemm, with the MACs each product does."""
    channels, size = draw(st.integers(1, 4)), draw(st.integers(4, 12))
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, size, size])
    nodes, inits, macs, tensor = [], [], 0, "x"
    for i in range(draw(st.integers(1, 3))):
        out, kernel = draw(st.integers(1, 6)), draw(st.integers(1, 3))
        stride, pad = draw(st.integers(1, 2)), draw(st.integers(0, kernel // 2))
        out_size = (size + 2 * pad - kernel) // stride + 1
        if out_size < 1:
            break
        w = np.arange(out * channels * kernel * kernel, dtype=np.float32).reshape(out, channels, kernel, kernel) % 3 - 1
        inits.append(helper.make_tensor(f"w{i}", TensorProto.FLOAT, w.shape, w.ravel()))
        nodes.append(helper.make_node("Conv", [tensor, f"w{i}"], [f"c{i}"], name=f"conv{i}", kernel_shape=[kernel] * 2,
                                      strides=[stride] * 2, pads=[pad] * 4))
        tensor = f"c{i}"
        if draw(st.booleans()):
            nodes.append(helper.make_node("Relu", [tensor], [f"r{i}"], name=f"relu{i}"))
            tensor = f"r{i}"
        macs += out * out_size * out_size * channels * kernel * kernel
        channels, size = out, out_size
    features, classes = channels * size * size, draw(st.integers(1, 10))
    nodes.append(helper.make_node("Flatten", [tensor], ["flat"], name="flatten"))
    fc = np.ones((classes, features), np.float32)
    inits.append(helper.make_tensor("fc_w", TensorProto.FLOAT, fc.shape, fc.ravel()))
    nodes.append(helper.make_node("Gemm", ["flat", "fc_w"], ["y"], name="fc", transB=1))
    macs += classes * features
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "g", [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return model.SerializeToString(), macs


@settings(PROPERTY, max_examples=40)
@given(conv_chains())
def test_onnx_chain_imports_with_the_macs_counted_by_hand(tmp_path, chain):
    data, macs = chain
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    network = load_onnx(path)
    assert sum(layer.macs for layer in network.layers) == macs


@settings(PROPERTY, max_examples=120)
@given(conv_chains(), st.data())
def test_onnx_with_bytes_changed_is_a_network_or_one_line_error(tmp_path, chain, data):
    raw = bytearray(chain[0])
    edits = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), min_size=1, max_size=6))
    for at, byte in edits:
        raw[at] = byte
    cut = data.draw(st.integers(1, len(raw)))
    assume(bytes(raw[:cut]) != chain[0])
    path = tmp_path / "m.onnx"
    path.write_bytes(bytes(raw[:cut]))
    try:
        load_onnx(path)
    except HwsimError as exc:
        _one_line_naming(exc, str(path))


@settings(PROPERTY, max_examples=60)
@given(st.binary(max_size=200))
def test_onnx_any_bytes_are_a_network_or_one_line_error(tmp_path, data):
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    try:
        load_onnx(path)
    except HwsimError as exc:
        _one_line_naming(exc, str(path))
