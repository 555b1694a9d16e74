"""One cost model: `hwsim map` reports, for every preset, the cycles and energy `hwsim simulate` gives.

A plain `map` and a plain `simulate` agree (the same default search), and `simulate --mapping`
replays a written file exactly, for the families whose engine takes a mapping.
"""

import json

import pytest

from hwsim.cli import main

CASES = [
    ("fat", "mlp", True), ("parapim", "mlp", True),
    ("systolic-32x32-ws", "mlp", True), ("systolic-32x32-os", "mlp", True),
    ("sparse-attn-fpga", "tiny-encoder", False), ("dense-attn-fpga", "tiny-encoder", False),
    ("gpu-v100", "tiny-encoder", False), ("cpu-xeon-8180", "tiny-encoder", False),
    ("snn-fpga", "snn-digits", False), ("spiker", "spiker-mnist", False),
]


def _run(tmp_path, name, argv):
    out = tmp_path / f"{name}.json"
    assert main([*argv, "--quiet", "--json", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize("arch, model, writes_file", CASES, ids=[c[0] for c in CASES])
def test_map_and_simulate_report_the_same_numbers(tmp_path, arch, model, writes_file, capsys):
    mapped = _run(tmp_path, "map", ["map", "--model", model, "--arch", arch])
    simulated = _run(tmp_path, "sim", ["simulate", "--model", model, "--arch", arch])
    assert [(r["name"], r["latency_cycles"], r["energy_pj"]) for r in mapped["layers"]] == \
        [(r["name"], r["cycles"], r["energy_pj"]) for r in simulated["layers"]]
    assert (mapped["total"]["latency_cycles"], mapped["total"]["energy_pj"]) == \
        (simulated["total"]["cycles"], simulated["total"]["energy_pj"])
    path = tmp_path / "m.yaml"
    code = main(["map", "--model", model, "--arch", arch, "--quiet", "--objective", "latency", "--out", str(path)])
    if not writes_file:
        assert code == 2 and "schedules its layers itself: there is no mapping file to write" in capsys.readouterr().err
        return
    assert code == 0
    fresh = _run(tmp_path, "fresh", ["map", "--model", model, "--arch", arch, "--objective", "latency"])
    replayed = _run(tmp_path, "replay", ["simulate", "--model", model, "--arch", arch, "--mapping", str(path)])
    assert (fresh["total"]["latency_cycles"], fresh["total"]["energy_pj"]) == \
        (replayed["total"]["cycles"], replayed["total"]["energy_pj"])
