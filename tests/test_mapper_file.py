"""Mapping files (hwsim.mapping/1): round trip, every error, hwsim map and simulate --mapping on the CLI."""

import json
import re
from dataclasses import replace

import pytest
import yaml

from hwsim import api
from hwsim.cli import main
from hwsim.errors import MappingError
from hwsim.mapping.loopnest.target import DIMS
from hwsim.mapping.mapfile import read_mapping_file, write_mapping_file
from hwsim.mapping.network import map_network, residency
from hwsim.spec.enums import Objective


@pytest.fixture(scope="module")
def mlp_on_fat():
    net, arch = api.load_network("mlp"), api.load_arch("fat")
    return net, arch, map_network(net, arch, objective=Objective.EDP, budget=3000, seed=1)


def _nonunit_order(m):
    return [[d for d in order if f[DIMS.index(d)] > 1]
            for f, order in zip(m.mapping.factors, m.mapping.orders)]


def test_round_trip_keeps_every_loop_nest_and_cost(tmp_path, mlp_on_fat):
    net, arch, mapping = mlp_on_fat
    path = tmp_path / "m.yaml"
    write_mapping_file(path, mapping)
    back = read_mapping_file(path, net, arch)
    assert [m.name for m in back.layers] == [m.name for m in mapping.layers] == ["fc1", "fc2", "fc3"]
    for a, b in zip(mapping.layers, back.layers):
        assert (a.mapping.factors, a.mapping.spatial) == (b.mapping.factors, b.mapping.spatial)
        assert _nonunit_order(a) == _nonunit_order(b)
        assert (a.mapping.latency_cycles, a.mapping.energy_pj) == (b.mapping.latency_cycles, b.mapping.energy_pj)
        assert not b.searched and a.searched
    assert back.objective is Objective.EDP and back.budget == 3000 and back.seed == 1


def test_layers_absent_from_the_file_are_searched(tmp_path, mlp_on_fat):
    net, arch, mapping = mlp_on_fat
    path = tmp_path / "m.yaml"
    write_mapping_file(path, mapping)
    data = yaml.safe_load(path.read_text())
    data["layers"] = data["layers"][:1]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    back = read_mapping_file(path, net, arch)
    assert [m.searched for m in back.layers] == [False, True, True]
    assert replace(back.layers[2].mapping, seconds=0.0) == replace(mapping.layers[2].mapping, seconds=0.0)


def _edited(tmp_path, mapping, edit):
    path = tmp_path / "bad.yaml"
    write_mapping_file(path, mapping)
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


BAD = [
    (lambda d: d["layers"][0].update(name="nope"), r"bad\.yaml: layer 'nope': not a mappable layer of model 'mlp' \(fc1, fc2, fc3\)$"),
    (lambda d: d["layers"][0].update(colour="red"), r"bad\.yaml: unknown key 'layers\[0\]\.colour' \(layer 'fc1'\)$"),
    (lambda d: d.update(extra=1), r"bad\.yaml: unknown key 'extra'$"),
    (lambda d: d.update(schema="hwsim.mapping/9"), r"bad\.yaml: key 'schema' = 'hwsim.mapping/9': expected 'hwsim.mapping/1'$"),
    (lambda d: d.update(arch="parapim"), r"bad\.yaml: key 'arch' = 'parapim': the file maps onto 'parapim', not 'fat'$"),
    (lambda d: d["layers"][0]["dims"].update(K=100), r"bad\.yaml: layer 'fc1': dims\.K = 100, but the layer has K = 256$"),
    (lambda d: d["layers"][0]["levels"][2]["loops"].update(K=3),
     r"bad\.yaml: layer 'fc1': K factors multiply to \d+ \(spatial \d+ x column \d+ x weight_buffer \d+ x interconnect 3\), "
     r"the layer has K = 256$"),
    (lambda d: d["layers"][0]["levels"].pop(), r"bad\.yaml: layer 'fc1': levels \['column', 'weight_buffer'\] do not match "
     r"target 'fat-columns' levels \['column', 'weight_buffer', 'interconnect'\]$"),
    (lambda d: d["layers"][0]["levels"][1]["loops"].update(X=2), r"bad\.yaml: layer 'fc1': level 'weight_buffer' loop 'X' "
     r"is not a loop dimension \(expected N, K, C, P, Q, R, S, G\)$"),
    (lambda d: d["layers"][0]["spatial"].update(N=1, Z=2), r"bad\.yaml: layer 'fc1': spatial 'Z' is not a loop dimension"),
]


@pytest.mark.parametrize("edit, message", BAD)
def test_bad_mapping_file_is_one_clear_sentence(tmp_path, mlp_on_fat, edit, message):
    net, arch, mapping = mlp_on_fat
    with pytest.raises(MappingError, match=message):
        read_mapping_file(_edited(tmp_path, mapping, edit), net, arch)


def test_tile_over_capacity_and_unrolling_over_the_array_are_rejected(tmp_path, mlp_on_fat):
    net, arch, mapping = mlp_on_fat

    def all_in_column(d):  # fc1 reduces over C = 784: the whole input row in one column
        entry = d["layers"][0]
        entry["spatial"] = {"K": 256}
        entry["levels"] = [{"name": "column", "loops": {"C": 784}}, {"name": "weight_buffer", "loops": {}},
                           {"name": "interconnect", "loops": {}}]

    with pytest.raises(MappingError, match=r"bad\.yaml: layer 'fc1': level 'column' tile of 785 words exceeds its "
                                           r"capacity of 64 words$"):
        read_mapping_file(_edited(tmp_path, mapping, all_in_column), net, arch)

    def too_wide(d):
        entry = d["layers"][0]
        entry["spatial"] = {"K": 256, "C": 4}
        entry["levels"] = [{"name": "column", "loops": {"C": 4}}, {"name": "weight_buffer", "loops": {"C": 49}},
                           {"name": "interconnect", "loops": {}}]

    with pytest.raises(MappingError, match=r"bad\.yaml: layer 'fc1': spatial unrolling K256 x C4 = 1024 exceeds "
                                           r"the 512 array rows of target 'fat-columns'$"):
        read_mapping_file(_edited(tmp_path, mapping, too_wide), net, arch)


def test_residency_names_where_each_operand_stays(mlp_on_fat):
    _, _, mapping = mlp_on_fat
    stays = residency(mapping.layers[0])
    assert set(stays) == {"W", "I", "O"}
    assert stays["W"][0] == "weight_buffer" and stays["I"][0] == stays["O"][0] == "column"
    # the column's accumulator serves every reduction step mapped inside and just above it
    m = mapping.layers[0].mapping
    assert stays["O"][1] >= m.factors[0][2]


def test_cli_map_then_simulate_with_the_file(tmp_path, capsys):
    """On an IMC arch `map` writes the engine's tilings; `simulate --mapping` replays them exactly."""
    out, js, rep = tmp_path / "m.yaml", tmp_path / "m.json", tmp_path / "r.json"
    assert main(["map", "--model", "mlp", "--arch", "fat", "--objective", "latency", "--out", str(out),
                 "--json", str(js)]) == 0
    captured = capsys.readouterr()
    assert "best tilings for latency" in captured.out
    payload = json.loads(js.read_text())
    assert payload["schema"] == "hwsim.map-report/1" and len(payload["layers"]) == 3
    assert payload["total"]["latency_cycles"] == sum(e["latency_cycles"] for e in payload["layers"])
    assert main(["simulate", "--model", "mlp", "--arch", "fat", "--mapping", str(out), "--quiet", "--json", str(rep)]) == 0
    replayed = json.loads(rep.read_text())
    assert [row["cycles"] for row in replayed["layers"]] == [e["latency_cycles"] for e in payload["layers"]]
    assert {row["mapping_source"] for row in replayed["layers"]} == {"file"}
    tilings = yaml.safe_load(out.read_text())["layers"]
    assert set(tilings[0]["tiling"]) >= {"data_mapping", "chunk_len"}


def test_tiling_file_errors_name_the_layer(tmp_path, capsys):
    out = tmp_path / "m.yaml"
    assert main(["map", "--model", "mlp", "--arch", "fat", "--quiet", "--out", str(out)]) == 0
    data = yaml.safe_load(out.read_text())
    data["layers"][0]["tiling"]["chunk_len"] = 10 ** 6
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    assert main(["simulate", "--model", "mlp", "--arch", "fat", "--mapping", str(bad), "--quiet"]) == 2
    assert re.match(r"^hwsim: error: .*bad\.yaml: layer 'fc1': chunk_len = 1000000 must be an integer in \[1, 784\]$",
                    capsys.readouterr().err.strip())
    assert main(["simulate", "--model", "mlp", "--arch", "systolic-32x32-ws", "--mapping", str(out), "--quiet"]) == 2
    assert "holds IMC tilings; arch 'systolic-32x32-ws' takes loop nests" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["map", "--model", "mlp", "--arch", "fat", "--budget", "0"], r"^hwsim: error: --budget = 0: must be a positive"),
    (["map", "--model", "mlp", "--arch", "gpu-v100"],
     r"^hwsim: error: model 'mlp' is not a Transformer; arch 'gpu-v100' \(roofline\) runs"),
    (["map", "--model", "mlp", "--arch", "fat", "--set", "subarray.rows=4", "--quiet"],
     r"^hwsim: error: layer 'fc1': subarray.rows = 4 leaves no room for one 8-bit activation"),
    (["simulate", "--model", "mlp", "--arch", "fat", "--mapping", "missing.yaml"], r"^hwsim: error: missing.yaml: file not found$"),
])
def test_cli_errors_are_one_line_with_status_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert re.match(message, err), err


def test_an_engine_that_takes_loop_nests_gets_the_mappers_choice_or_the_file(tmp_path, monkeypatch, mlp_on_fat):
    from hwsim.engines import ENGINE_BY_FAMILY, Engine, MappingKind
    from hwsim.spec.enums import Family

    net, arch, mapping = mlp_on_fat
    seen = []

    def simulate_network(workload, spec, *, mapping):
        seen.append(mapping)
        return "report"

    engine = Engine(lambda: simulate_network, mapping=MappingKind.LOOP_NEST, default_mapping=lambda: api.map_network)
    monkeypatch.setitem(ENGINE_BY_FAMILY, Family.IMC, engine)
    assert api.simulate(net, arch) == "report"
    assert [m.name for m in seen[0].layers] == ["fc1", "fc2", "fc3"] and all(m.searched for m in seen[0].layers)
    path = tmp_path / "m.yaml"
    write_mapping_file(path, mapping)
    api.simulate(net, arch, mapping=path)
    assert not any(m.searched for m in seen[1].layers)
    assert seen[1].layers[0].mapping.factors == mapping.layers[0].mapping.factors
