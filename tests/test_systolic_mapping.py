"""Loop nests drive the systolic engine's traffic: hand-counted nests, the default, .cfg runs."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from hwsim import api
from hwsim.cli import main
from hwsim.cost.systolic import energy_table_pj
from hwsim.errors import SimulationError
from hwsim.mapping.mapfile import write_mapping_file
from hwsim.mapping.network import NetworkMapping, map_network
from hwsim.sim.systolic.nest_traffic import level_accesses, nest_traffic
from hwsim.sim.systolic.network import DEFAULT_BUDGET, DEFAULT_OBJECTIVE, simulate_layer, simulate_network
from hwsim.spec.enums import Objective
from tests.test_systolic_parity import cfg_text, topology_text

# One 3x3 conv, 8 -> 16 channels, 10x10 ifmap (P = Q = 8), on a 4x4 weight-stationary array
# with 1 KB SRAMs (512 working words each): the 1,152 weights do not fit the filter SRAM.
LAYER = ("c1", 10, 10, 3, 3, 8, 16, 1)
SMALL = {"array.rows": 4, "array.cols": 4, "sram.ifmap_kb": 1, "sram.filter_kb": 1, "sram.ofmap_kb": 1}
ONE_WORD = {f"dram.{op}_words_per_cycle": 1 for op in ("ifmap", "filter", "ofmap")}


def _network(tmp_path: Path):
    path = tmp_path / "one.csv"
    path.write_text(topology_text([LAYER]))
    return path, api.load_network(str(path))


def _nest_file(tmp_path: Path, arch, dram_loops: dict[str, int], name: str) -> Path:
    """Unroll C4 x K4, stream Q in the PE register, everything else at the DRAM level."""
    levels = [{"name": "pe_reg", "loops": {"Q": 8}}] + [{"name": n, "loops": {}} for n in
                                                        ("filter_sram", "ifmap_sram", "ofmap_sram")]
    entry = {"name": "c1", "dims": {"N": 1, "K": 16, "C": 8, "P": 8, "Q": 8, "R": 3, "S": 3}, "stride": 1,
             "spatial": {"C": 4, "K": 4}, "levels": levels + [{"name": "dram", "loops": dram_loops}]}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"schema": "hwsim.mapping/1", "model": "one", "arch": arch.name,
                                    "layers": [entry]}, sort_keys=False))
    return path


# P innermost at DRAM keeps each weight tile across the pixel loop; P outermost refetches all
# weights for every output row.  Hand counts (words):
#   keep:    W 72 fills x 16 = 1,152; O tile K4 x Q8 = 32 drained 576 times = 18,432, 17,408 read back
#   refetch: W 576 x 16 = 9,216;     O drained once per K, P iteration: 32 x 32 = 1,024, none read back
#   both:    I tile C4 x Q8 = 32 fetched 576 times = 18,432
KEEP = {"P": 8, "R": 3, "S": 3, "C": 2, "K": 4}
REFETCH = {"R": 3, "S": 3, "C": 2, "K": 4, "P": 8}


@pytest.mark.parametrize("order, filter_dram, ofmap_dram, ofmap_back, stall_cycles", [
    # stalls at 1 word/cycle, double buffered: the worst interface's words - 512 - 5,327 compute
    (KEEP, 1152, 18432, 17408, 18432 + 17408 - 512 - 5327),
    (REFETCH, 9216, 1024, 0, 18432 - 512 - 5327),
])
def test_hand_built_nest_sets_dram_traffic_and_stalls(tmp_path, order, filter_dram, ofmap_dram, ofmap_back,
                                                      stall_cycles):
    _, net = _network(tmp_path)
    arch = api.load_arch("systolic-32x32-ws", overrides={**SMALL, **ONE_WORD})
    row = api.simulate(net, arch, mapping=_nest_file(tmp_path, arch, order, "m")).to_dict()["layers"][0]
    assert (row["filter_dram_reads"], row["ifmap_dram_reads"]) == (filter_dram, 18432)
    assert (row["ofmap_dram_writes"], row["ofmap_dram_reads"]) == (ofmap_dram, ofmap_back)
    # 18 row folds x 4 column folds of 64 + 4 + 4 - 2 + 4 (preload) cycles, last index: the fold model's
    assert row["compute_cycles"] == 72 * 74 - 1 == simulate_layer(net.layers[0], arch).compute_cycles
    assert row["stall_cycles"] == stall_cycles and row["cycles"] == row["compute_cycles"] + stall_cycles


COUNT_FIELD = {"ifmap_sram.read": "ifmap_sram_reads", "filter_sram.read": "filter_sram_reads",
               "ofmap_sram.write": "ofmap_sram_writes", "dram.ifmap_read": "ifmap_dram_reads",
               "dram.filter_read": "filter_dram_reads", "dram.ofmap_write": "ofmap_dram_writes",
               "dram.ofmap_read": "ofmap_dram_reads"}


def test_refetching_weights_costs_dram_reads_and_their_energy(tmp_path):
    _, net = _network(tmp_path)
    arch = api.load_arch("systolic-32x32-ws", overrides=SMALL)
    keep, refetch = (api.simulate(net, arch, mapping=_nest_file(tmp_path, arch, o, n)).layers[0]
                     for o, n in ((KEEP, "keep"), (REFETCH, "refetch")))
    assert refetch.extra["filter_dram_reads"] == 8 * keep.extra["filter_dram_reads"]
    table = energy_table_pj(arch)
    for row in (keep, refetch):  # priced from the nest's counts
        for action, field in COUNT_FIELD.items():
            assert row.energy_breakdown_pj.get(action, 0.0) == pytest.approx(row.extra[field] * table[action])
    assert refetch.energy_breakdown_pj["dram.filter_read"] > keep.energy_breakdown_pj["dram.filter_read"]
    # keeping the weights spills partial sums: 35,840 ofmap DRAM words against 8,064 more weight reads
    assert keep.energy_pj > refetch.energy_pj
    assert keep.cycles == refetch.cycles  # calc DRAM: no stalls; compute is the dataflow's


def test_counts_are_the_mappers_own():
    net, arch = api.load_network("resnet18"), api.load_arch("systolic-32x32-os")
    mapping = map_network(net, arch, objective=Objective.ENERGY, budget=3000)
    for m in mapping.layers[:4]:
        reads, writes = level_accesses(m)
        levels = m.target.levels
        priced = sum(r * lv.read_energy_pj + w * lv.write_energy_pj for r, w, lv in zip(reads, writes, levels))
        assert priced + m.layer.macs * m.target.mac_energy_pj == pytest.approx(m.mapping.energy_pj, rel=1e-12)
        t = nest_traffic(m)
        assert t.ofmap_dram_writes - t.ofmap_dram_reads == m.layer.N * m.layer.K * m.layer.P * m.layer.Q


def test_layers_without_a_nest_keep_the_fold_model():
    net, arch = api.load_network("resnet18"), api.load_arch("systolic-32x32-ws")
    full = map_network(net, arch, objective=Objective.EDP, budget=2000)
    only_fc = NetworkMapping(full.model, full.arch, full.objective, full.budget, full.seed, (full.get("fc"),))
    rows = {s.name: s for s in simulate_network(net, arch, mapping=only_fc).layers}
    fold = simulate_layer(net.layers[0], arch)
    assert dict(rows["conv1"].extra) == dict(fold.extra) and rows["conv1"].cycles == fold.cycles
    assert rows["fc"].extra["filter_sram_reads"] == nest_traffic(full.get("fc")).filter_sram_reads
    assert rows["fc"].extra["traffic"] == "loop nest" and "traffic" not in rows["conv1"].extra
    fc = full.get("fc")
    wrong = NetworkMapping(full.model, full.arch, full.objective, full.budget, full.seed,
                           (replace(fc, layer=replace(fc.layer, name="conv1")),))
    with pytest.raises(SimulationError, match=r"^layer 'conv1': its loop nest is for N, K, C, P, Q, R, S, G, strides, "
                                              r"dilations, bits = \(1, 1000, 512, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8, 2\), "
                                              r"the layer has \(1, 64, 3, 112, 112, 7, 7, 1, 2, 2, 1, 1, 8, 2\)$"):
        simulate_network(net, arch, mapping=wrong)


def test_default_run_equals_the_file_hwsim_map_writes(tmp_path):
    assert (DEFAULT_OBJECTIVE, DEFAULT_BUDGET) == (Objective.EDP, 20_000)
    nests, default, given = tmp_path / "m.yaml", tmp_path / "default.json", tmp_path / "given.json"
    common = ["--model", "resnet18", "--arch", "systolic-32x32-ws", "--quiet"]
    assert main(["map", *common, "--objective", "edp", "--budget", "20000", "--seed", "0", "--out", str(nests)]) == 0
    assert main(["simulate", *common, "--json", str(default)]) == 0
    assert main(["simulate", *common, "--mapping", str(nests), "--json", str(given)]) == 0
    a, b = json.loads(default.read_text()), json.loads(given.read_text())
    assert a["layers"] == b["layers"] and a["total"] == b["total"]
    assert a["workload"]["mapping"]["source"] == "mapper" and b["workload"]["mapping"]["source"] == str(nests)
    conv1 = a["layers"][0]
    assert conv1["traffic"] == "loop nest" and conv1["loopnest"].startswith("rows C")


def test_cfg_arch_keeps_scalesim_and_rejects_a_mapping_in_one_line(tmp_path, capsys):
    cfg = tmp_path / "a.cfg"
    cfg.write_text(cfg_text(4, 4, "ws", (1, 1, 1), "USER", (2, 2, 2)))
    topology, net = _network(tmp_path)
    arch = api.load_arch(str(cfg))
    row = api.simulate(net, arch).to_dict()["layers"][0]
    assert "loopnest" not in row and "traffic" not in row
    assert row["stall_cycles"] == simulate_layer(net.layers[0], arch).other_cycles
    nests = tmp_path / "m.yaml"
    assert main(["map", "--model", str(topology), "--arch", str(cfg), "--budget", "500", "--out", str(nests),
                 "--quiet"]) == 2
    assert "follows SCALE-Sim's fold order: there is no mapping file to write" in capsys.readouterr().err
    write_mapping_file(nests, map_network(net, api.load_arch(str(cfg), overrides={"buffer_model": "analytic"}),
                                          budget=500))
    assert main(["simulate", "--model", str(topology), "--arch", str(cfg), "--mapping", str(nests), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert re.match(r"^hwsim: error: arch '[^']+': buffer_model scalesim \(SCALE-Sim's buffer replay, what \.cfg "
                    r"files select\) follows SCALE-Sim's fold order, not a loop nest; drop --mapping or "
                    r"--set buffer_model=analytic$", err), err
    with pytest.raises(SimulationError, match=r"^arch '[^']+': buffer_model scalesim "):
        simulate_network(net, arch, mapping=map_network(net, arch, budget=500))
