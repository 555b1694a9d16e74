"""The native Verilator harness (no cocotb) against hwsim: long runs pass on correct designs, fail on
broken ones, check the cocotb testbenches' transactions, and report bad requests in one line."""

from __future__ import annotations

import json
import re
import subprocess

import numpy as np
import pytest

from hwsim.cli import main
from hwsim.rtlflow import RtlError
from hwsim.rtlflow.generate import make_design
from hwsim.rtlflow.native import run_native
from hwsim.rtlflow.native_build import cpp_member, design_header, ensure_native_built, last_bit, output_mask
from hwsim.rtlflow.runner import Simulator, run_testbench, tool_env
from hwsim.rtlflow.vectors import MAGIC, write_vectors
from hwsim.testbench.native_vectors import VECTOR_BUILDERS, Vector

ENGINE = {"columns": 4, "act_bits": 3, "max_reduction": 16}
CORE = {"inputs": 6, "neurons": 8, "parallel_neurons": 4, "membrane_bits": 8, "threshold_lsb": 50, "levels": 2,
        "input_levels": 2, "refractory_steps": 1, "leak_shift": 3}
SPIKER_MODE = {"inputs": 6, "neurons": 5, "parallel_neurons": 3, "membrane_bits": 8, "threshold_lsb": 40,
               "leak_shift": 2, "event_driven": 0, "skip_empty_steps": 1, "inhibition_scan": 1, "inhibition_lsb": 30}
# (block, arch, params, transactions): each run simulates 0.2-1.3 M cycles in well under a second;
# making the vectors with hwsim's models costs 1-5 s of Python, the build 6-15 s
CASES = [
    ("ternary_adder", "parapim", {"width_bits": 13}, 20_000),
    ("sparse_skip", "fat", {}, 50_000),
    ("ternary_dot_engine", "fat", ENGINE, 10_000),
    ("topk_unit", None, {}, 5_000),
    ("lut_score_unit", None, {}, 10_000),
    ("lif_neuron", None, {}, 20_000),
    ("snn_core", None, CORE, 20_000),
    ("snn_core", None, SPIKER_MODE, 20_000),
]


# The native harness drives one input and one output stream; these blocks have more.
SEVERAL_STREAMS = {"systolic_array"}
# The harness counts each transaction's cycles alone; this block's requests overlap in its pipeline.
OVERLAPPING = {"attention_engine"}


def test_every_block_has_native_vectors():
    from hwsim.rtlflow.blocks import block_names

    assert sorted(VECTOR_BUILDERS) == [b for b in block_names() if b not in SEVERAL_STREAMS | OVERLAPPING]


def test_a_block_without_native_vectors_is_one_line(tmp_path):
    with pytest.raises(RtlError, match=r"^RTL block 'systolic_array' has no native vectors \(run it with --sim icarus or --sim verilator\); blocks with them: "):
        run_native("systolic_array", build_root=tmp_path)


@pytest.mark.parametrize(("block", "arch", "params", "n"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_native_long_run_matches_hwsim(block, arch, params, n, build_root):
    result = run_native(block, arch=arch, params=params, seed=11, transactions=n, build_root=build_root,
                        run_tag="pytest-native")
    assert result.passed, result.first_mismatches
    assert result.transactions == n and result.output_mismatches == 0 and result.cycle_mismatches == 0
    assert result.cycles_simulated > result.cycles_checked  # idle input and back-pressure did happen
    assert 0 < result.sim_s < result.run_s


@pytest.mark.parametrize(("block", "params", "fault", "what"), [
    ("ternary_dot_engine", ENGINE, "sub_as_add", "output"),
    ("ternary_dot_engine", ENGINE, "extra_cycle", "cycle"),
    ("snn_core", CORE, "wrap_around", "output"),
    ("snn_core", SPIKER_MODE, "scan_extra_cycle", "cycle"),
])
def test_broken_design_fails_natively(block, params, fault, what, build_root):
    result = run_native(block, params={**params, "fault": fault}, seed=4, transactions=2000, build_root=build_root,
                        run_tag="pytest-native-broken")
    assert not result.passed
    if what == "output":
        assert result.output_mismatches > 0
        assert "output beat" in result.first_mismatches[0]
    else:
        assert result.cycle_mismatches > 0 and result.output_mismatches == 0
        assert "!= predicted" in result.first_mismatches[0]


def test_harness_stops_a_design_that_hangs(build_root, tmp_path):
    """A tile without ``last`` leaves the engine waiting for input: the harness stops and says so."""
    design = make_design("ternary_dot_engine", params=ENGINE)
    exe, _ = ensure_native_built(design, build_root, tool_env(Simulator.VERILATOR))
    widths = {p["name"]: p["width"] for p in design.ports}
    write_vectors(tmp_path / "v.bin", [Vector([0x5555], [0], 10, "")], widths["i_stream__payload"],
                  widths["o_stream__payload"])  # eight +1 weights, zero activations, no last
    subprocess.run([str(exe), str(tmp_path / "v.bin"), str(tmp_path / "s.json"), "1", "0.3", "0.3"], check=True)
    summary = json.loads((tmp_path / "s.json").read_text())
    assert re.fullmatch(r"stuck: 0 of 1 transactions done after \d+ cycles, last handshake in cycle \d+",
                        summary["error"])
    assert summary["output_mismatches"] == 1 and summary["cycle_mismatches"] == 1


def test_native_checks_the_cocotb_transactions(build_root):
    """The same seed gives the same transactions (their predicted cycles add up alike) on Icarus."""
    kwargs = dict(arch="fat", params={"width_bits": 8}, seed=8, transactions=150, build_root=build_root)
    cocotb_run = run_testbench("ternary_adder", "icarus", run_tag="pytest-native-same", **kwargs)
    native_run = run_testbench("ternary_adder", "verilator-native", run_tag="pytest-native-same", **kwargs)
    assert cocotb_run.passed and native_run.passed
    assert native_run.cycles_checked == cocotb_run.cycles_checked


def test_vector_file_layout(tmp_path):
    vectors = [Vector([1, 2], [5], 7, "a"), Vector([(1 << 40) + 3], [6, 1 << 33], 9, "b")]
    size = write_vectors(tmp_path / "v.bin", vectors, in_width_bits=41, out_width_bits=34)
    words = np.fromfile(tmp_path / "v.bin", dtype="<u4")
    assert size == 4 * len(words)
    assert words[:8].tolist() == [MAGIC, 1, 2, 2, 2, 3, 3, 0]
    assert words[8:14].tolist() == [2, 1, 1, 2, 7, 9]                 # beats in, beats out, cycles
    assert words[14:20].tolist() == [1, 0, 2, 0, 3, 1 << 8]           # input payloads, low word first
    assert words[20:26].tolist() == [5, 0, 6, 0, 0, 2]                # expected output payloads


def test_vector_file_rejects_payloads_too_wide(tmp_path):
    with pytest.raises(RtlError, match=r"^an input payload 256 does not fit the port's 8 bits unsigned$"):
        write_vectors(tmp_path / "v.bin", [Vector([256], [0], 1, "")], 8, 8)


def test_design_header_names_ports_and_checked_bits():
    design = make_design("sparse_skip")  # output: lane(3) sub zero nop last skipped(4) = 11 bits
    o_port = next(p for p in design.ports if p["name"] == "o_stream__payload")
    assert output_mask(o_port) == [0x7FF] and last_bit(o_port) == 6
    assert cpp_member("o_stream__payload") == "o_stream___05Fpayload"
    header = design_header(design)
    assert "using HwsimTop = Vsparse_skip;" in header and "#define HWSIM_O_READY o_stream___05Fready" in header


@pytest.mark.parametrize(("argv", "message"), [
    (["--transactions", "0"], "hwsim: error: --transactions must be at least 1, got 0\n"),
    (["--waves"], "hwsim: error: --waves needs a cocotb run (--sim icarus or verilator), not --sim verilator-native\n"),
    (["--param", "width=3"], "hwsim: error: --param 'width' is not a parameter of ternary_adder; known: fault, "
                             "width_bits\n"),
])
def test_cli_bad_requests_are_one_line(argv, message, capsys):
    assert main(["rtl", "test", "ternary_adder", "--sim", "verilator-native", *argv]) == 2
    assert capsys.readouterr().err == message


def test_cli_broken_variant_fails(build_root, capsys):
    code = main(["rtl", "test", "ternary_dot_engine", "--sim", "verilator-native", "--param", "columns=4",
                 "--param", "act_bits=3", "--param", "max_reduction=16", "--param", "fault=extra_cycle",
                 "--transactions", "3000", "--build-dir", str(build_root)])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith("FAIL ternary_dot_engine on verilator-native (seed 1): 3000 transactions, ")
    assert re.search(r" 0 output and [1-9]\d* cycle-count mismatches \(build ", out[0])
    assert out[1].startswith("  transaction 0 weights [") and "cycles != predicted" in out[1]
