"""Without numba (a core install) the kernels run as plain Python and give the same numbers."""

import json
import subprocess
import sys
import textwrap

from hwsim import api

SCRIPT = textwrap.dedent("""
    import json, sys, warnings
    if sys.argv[1] == "hide":
        sys.modules["numba"] = None  # importlib then finds no numba, as in a core install
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        from hwsim import api
        attention = api.simulate("tiny-encoder", "sparse-attn-fpga").total
        snn = api.simulate(api.load_network("snn-digits", overrides={"samples": 2}), "snn-fpga").total
        mlp = api.load_network("mlp")
        found = api.map_network(mlp, api.load_arch("systolic-32x32-ws"), budget=300, seed=1)
    print(json.dumps({"attention": [attention.cycles, attention.energy_pj], "snn": [snn.cycles, snn.energy_pj],
                      "mapper": [[m.mapping.latency_cycles, m.mapping.energy_pj] for m in found.layers],
                      "warnings": sorted({str(w.message) for w in caught})}))
""")


def run(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_kernels_without_numba_give_the_same_numbers_and_say_so_once():
    compiled, plain = run("use"), run("hide")
    assert compiled["warnings"] == []
    assert plain["warnings"] == ["numba is not installed, so hwsim's kernels run as plain Python (slow): "
                                 "pip install 'hwsim[fast]'"]
    for key in ("attention", "snn", "mapper"):
        assert plain[key] == compiled[key], key
    assert len(plain["mapper"]) == len(api.load_network("mlp").layers)


def test_the_cli_says_it_in_one_line():
    script = ("import sys; sys.modules['numba'] = None; from hwsim.cli import main; "
              "sys.exit(main(['simulate', '--model', 'tiny-encoder', '--arch', 'sparse-attn-fpga', '--quiet']))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ("hwsim: warning: numba is not installed, so hwsim's kernels run as plain Python (slow): "
                           "pip install 'hwsim[fast]'\n")
