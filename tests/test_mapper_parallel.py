"""``hwsim map --workers``: distinct layer shapes searched in a process pool, with the serial result."""

import re
from dataclasses import replace

import pytest

from hwsim import api
from hwsim.cli import main
from hwsim.errors import MappingError
from hwsim.mapping.loopnest.target import MappingTarget, MemoryLevel
from hwsim.mapping.loopnest.parallel import default_workers, search_all
from hwsim.mapping.network import distinct_shapes, map_network
from hwsim.spec.enums import Objective
from hwsim.workload.layers import Layer, LayerKind, Quant


@pytest.fixture(scope="module")
def resnet_on_systolic():
    return api.load_network("resnet18"), api.load_arch("systolic-32x32-ws")


def test_pool_returns_the_serial_mappings(resnet_on_systolic):
    net, arch = resnet_on_systolic
    calls = {1: [], 2: []}
    runs = {w: map_network(net, arch, objective=Objective.EDP, budget=3000, seed=5, workers=w,
                           progress=lambda *a, w=w: calls[w].append(a[:3])) for w in (1, 2)}
    untimed = {w: [replace(m.mapping, seconds=0.0) for m in runs[w].layers] for w in runs}
    assert untimed[1] == untimed[2]
    assert [m.target for m in runs[1].layers] == [m.target for m in runs[2].layers]
    # progress comes once per distinct shape, in the same order either way
    assert calls[1] == calls[2] and len(calls[1]) == distinct_shapes(net, arch) == 12


def test_default_workers_is_at_most_one_per_search():
    assert default_workers(1) == 1
    assert 1 <= default_workers(100) <= 100


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match=r"^workers = 0: must be at least 1"):
        search_all([], objective=Objective.EDP, budget=10, seed=0, workers=0)


def test_pool_raises_the_first_failing_jobs_error():
    # the second and third jobs fit nowhere (a half-word register cannot hold one weight)
    def target(name, reg_words):
        return MappingTarget(name, 1, 1, (), (), (
            MemoryLevel("reg", reg_words, 0.1, 0.1, 1e9, (True, False, False)),
            MemoryLevel("dram", 1e12, 1.0, 1.0, 1e9),
        ), mac_energy_pj=0.0)

    layers = [Layer(name, LayerKind.CONV, 1, 2, 2, 2, 1, 1, 1, 1, 0, ("",), 8, Quant.ternary())
              for name in ("ok", "b1", "b2")]
    jobs = [(layers[0], target("one", 1.0)), (layers[1], target("tiny", 0.5)), (layers[2], target("tiny", 0.5))]
    with pytest.raises(MappingError, match=r"^layer 'b1': no valid mapping on 'tiny'"):
        search_all(jobs, objective=Objective.EDP, budget=500, seed=0, workers=2)


def test_cli_workers_option(capsys, tmp_path):
    out = {w: tmp_path / f"w{w}.yaml" for w in (1, 2)}
    for w in (1, 2):
        assert main(["map", "--model", "mlp", "--arch", "systolic-32x32-ws", "--budget", "2000", "--workers", str(w),
                     "--quiet", "--out", str(out[w])]) == 0
    assert out[1].read_text() == out[2].read_text()
    assert main(["map", "--model", "mlp", "--arch", "fat", "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert re.search(r"^hwsim: error: --workers = 0: must be a positive number of processes$", err, re.M), err
