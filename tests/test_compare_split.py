"""`compare` splits each ratio into the hardware's part and the mapping's part."""

import json

import pytest

from hwsim import api
from hwsim.cli import main


@pytest.fixture(scope="module")
def fat_vs_parapim():
    net = api.load_network("mlp", weight_sparsity=0.8, seed=0)
    return api.compare_designs(net, api.load_arch("fat"), api.load_arch("parapim"))


def test_architecture_times_mapping_is_the_ratio(fat_vs_parapim):
    cmp = fat_vs_parapim
    split = cmp.split
    assert split is not None
    for metric in ("speedup", "energy_efficiency"):
        product = getattr(split.architectural, metric) * getattr(split.mapping, metric)
        assert product == pytest.approx(getattr(cmp, metric), rel=1e-12)
    # the same-mapping run is FAT on ParaPIM's (weight-stationary) data mappings
    assert split.same_mapping.arch == "fat"
    assert {layer.extra["data_mapping"] for layer in split.same_mapping.layers if "data_mapping" in layer.extra} == \
        {"weight_stationary"}
    assert split.same_mapping.total.extra["mapping_source"] == "pinned"
    assert split.mapping.speedup > 1  # FAT's own combined-stationary mapping is worth something


def test_split_is_absent_across_families():
    net = api.load_network("mlp")
    cmp = api.compare_designs(net, api.load_arch("fat"), api.load_arch("systolic-32x32-ws"))
    assert cmp.split is None and cmp.to_dict()["split"] is None


def test_cli_prints_and_writes_the_split(tmp_path, capsys):
    out = tmp_path / "cmp.json"
    assert main(["compare", "--model", "mlp", "--arch", "fat", "--arch", "parapim", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "x from the architecture x" in text and "x from the mapping)" in text
    split = json.loads(out.read_text())["split"]
    assert set(split) == {"architectural", "mapping", "same_mapping_report"}
    assert split["architectural"]["speedup"] * split["mapping"]["speedup"] == pytest.approx(
        json.loads(out.read_text())["total"]["speedup"])
