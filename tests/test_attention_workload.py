"""Transformer workloads: model files, sequence lengths, overrides and their errors."""

from __future__ import annotations

import numpy as np
import pytest

from hwsim import api
from hwsim.errors import WorkloadError
from hwsim.workload.transformer import Stage

TINY = """\
schema: hwsim.transformer/1
name: t
model: {d_model: 32, heads: 4, d_ff: 64, encoder_layers: 1, max_len: 16}
workload: {seq_lengths: [4, 16, 9], top_k: 4}
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(TINY)
    return path


def test_bert_base_draws_real_lengths_reproducibly():
    first = api.load_network("bert-base")
    again = api.load_network("bert-base")
    other = api.load_network("bert-base", overrides={"seed": 1})
    assert first.batch == 1000 and first.heads == 12 and first.head_dim == 64
    assert 5 <= first.lengths.min() and first.lengths.max() <= 128
    assert np.array_equal(first.lengths, again.lengths)
    assert not np.array_equal(first.lengths, other.lengths)


def test_overrides_set_top_k_and_lengths(tiny, tmp_path):
    csv = tmp_path / "lengths.csv"
    csv.write_text("# three real sentences\nlength\n3\n5\n8\n")
    w = api.load_network(str(tiny), overrides={"top_k": 2, "seq_lengths": str(csv)})
    assert w.top_k == 2 and w.lengths.tolist() == [3, 5, 8]
    assert w.kept_keys(w.lengths).tolist() == [2, 2, 2]


def test_histogram_is_sampled_by_its_counts(tiny, tmp_path):
    csv = tmp_path / "hist.csv"
    csv.write_text("length,count\n2,0\n7,3\n11,1\n")
    w = api.load_network(str(tiny), overrides={"seq_lengths": str(csv), "num_sequences": 400})
    values, counts = np.unique(w.lengths, return_counts=True)
    assert values.tolist() == [7, 11]
    assert 0.65 < counts[0] / 400 < 0.85


def test_parametric_lengths_stay_in_bounds(tiny):
    spec = {"distribution": "uniform", "min": 3, "max": 6}
    w = api.load_network(str(tiny), overrides={"seq_lengths": spec, "num_sequences": 200})
    assert w.lengths.min() == 3 and w.lengths.max() == 6


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"top_k": 0}, r"workload.top_k = 0: must be in \[1, 16\]"),
        ({"top_k": 17}, r"workload.top_k = 17: must be in \[1, 16\]"),
        ({"seq_lengths": [4, -2]}, r"seq_lengths\[1\] = -2: a length must be in \[1, 16\]"),
        ({"seq_lengths": [0]}, r"seq_lengths\[0\] = 0: a length must be in"),
        ({"seq_lengths": {"distribution": "zipf"}}, r"distribution = 'zipf': expected one of normal"),
        ({"seq_lengths": {"distribution": "normal", "mean": 5}}, r"a normal distribution needs 'std'"),
        ({"seq_lengths": {"distribution": "uniform"}}, r"drawing lengths needs workload.num_sequences"),
        ({"seq_lengths": "nowhere.csv"}, r"'nowhere.csv': file not found"),
    ],
)
def test_bad_workload_options_name_key_and_value(tiny, overrides, message):
    with pytest.raises(WorkloadError, match=message):
        api.load_network(str(tiny), overrides=overrides)


@pytest.mark.parametrize(
    "text, message",
    [
        ("len\n3\n", r"header 'len': expected 'length' or 'length,count'"),
        ("length\n3\nx\n", r"row 3: length 'x' is not an integer"),
        ("length\n3\n-1\n", r"row 3: length -1 must be in \[1, 16\]"),
        ("length,count\n3,1\n4\n", r"row 3 has 1 fields, the header has 2"),
        ("length,count\n3,-1\n", r"row 2: count '-1' must be >= 0"),
        ("length,count\n3,0\n", r"all counts are zero"),
        ("length\n", r"no lengths after the header"),
    ],
)
def test_malformed_length_file_is_rejected(tiny, tmp_path, text, message):
    csv = tmp_path / "bad.csv"
    csv.write_text(text)
    with pytest.raises(WorkloadError, match=message):
        api.load_network(str(tiny), overrides={"seq_lengths": str(csv), "num_sequences": 4})


def test_model_dims_are_checked(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(TINY.replace("heads: 4", "heads: 5"))
    with pytest.raises(WorkloadError, match="d_model = 32 is not a multiple of heads = 5"):
        api.load_network(str(path))


def test_stage_work_matches_the_mapper_gemms(tiny):
    w = api.load_network(str(tiny))
    block = w.blocks[0]
    gemms = {layer.name.split(".")[-1]: layer.macs for layer in w.gemm_layers(block, 9, sparse=True)}
    L = np.array([9])
    work = {stage: w.stage_work(stage, L, sparse=True) for stage in block.stages}
    assert work[Stage.QKV].proj_macs[0] == gemms["qkv"]
    assert work[Stage.OUTPUT].proj_macs[0] == gemms["out"]
    assert work[Stage.FFN_UP].proj_macs[0] + work[Stage.FFN_DOWN].proj_macs[0] == gemms["ffn1"] + gemms["ffn2"]
    attn = work[Stage.ATTENTION]
    assert attn.score_macs[0] == gemms["qk"]            # dense scores, one per key
    assert attn.value_macs[0] == gemms["av"]            # values reduced over the k kept keys
    assert attn.value_macs[0] == 4 * 9 * 4 * 8          # H * L * k * D
