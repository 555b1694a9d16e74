"""The RTL flow without simulators: registry, parameters, Verilog files, lint, tool checks."""

from __future__ import annotations

import os
import random
import re

import pytest

from hwsim.cli import main
from hwsim.func.ternary_adder import AdderOp, add_step, bit_serial_add
from hwsim.rtlflow import RtlError
from hwsim.rtlflow.blocks import RTL_BLOCKS, get_block
from hwsim.rtlflow.generate import make_design, write_design
from hwsim.rtlflow.lint import lint_verilog
from hwsim.rtlflow.runner import Simulator, check_simulator


def test_unknown_block_is_one_sentence():
    with pytest.raises(RtlError, match=r"^unknown RTL block 'adder'; known: .*ternary_adder"):
        get_block("adder")


def test_unknown_param_names_the_block():
    with pytest.raises(RtlError, match=r"^--param 'widht' is not a parameter of ternary_adder; known: fault, width_bits$"):
        make_design("ternary_adder", params={"widht": 8})


def test_bad_param_value_is_quoted():
    with pytest.raises(RtlError, match=r"width_bits must be an integer in \[2, 64\], not 1"):
        make_design("ternary_adder", params={"width_bits": 1})


def test_block_needs_an_imc_arch(tmp_path):
    with pytest.raises(Exception, match=r"unknown arch 'nope'"):
        make_design("ternary_adder", "nope")


def test_schemes_give_different_hardware():
    fat = make_design("ternary_adder", "fat", {"width_bits": 8})
    parapim = make_design("ternary_adder", "parapim", {"width_bits": 8})
    assert fat.key != parapim.key
    assert make_design("ternary_adder", "fat", {"width_bits": 8}).key == fat.key  # deterministic


def test_generate_rewrites_only_changed_text(tmp_path):
    design = make_design("ternary_adder", params={"width_bits": 6})
    v_path, j_path, changed = write_design(design, tmp_path)
    assert changed and "module ternary_adder" in v_path.read_text()
    os.utime(v_path, (1, 1))
    _, _, changed_again = write_design(design, tmp_path)
    assert not changed_again and v_path.stat().st_mtime == 1
    ports = {p["name"]: p for p in __import__("json").loads(j_path.read_text())["ports"]}
    assert ports["i_stream__payload"]["fields"]["operand"] == {"offset": 0, "width": 6}
    assert ports["o_stream__ready"]["dir"] == "input"


def test_cli_generate_and_bad_param(tmp_path, capsys):
    assert main(["rtl", "generate", "ternary_adder", "--param", "width_bits=5", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "ternary_adder.v").exists() and (tmp_path / "ternary_adder.json").exists()
    assert main(["rtl", "generate", "ternary_adder", "--param", "width", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["hwsim: error: --param 'width' is not of the form key=value"]


# Blocks whose default arch takes long to generate are linted on a smaller spec: the 32x32
# systolic array takes about 50 s to convert, a 4x4 one (the same code, fewer PEs) a second.
LINT_OVERRIDES = {"systolic_array": {"array.rows": 4, "array.cols": 3, "sram.ifmap_kb": 1, "sram.filter_kb": 1,
                                     "sram.ofmap_kb": 1, "dram.ofmap_words_per_cycle": 2}}


@pytest.mark.parametrize("block", sorted(RTL_BLOCKS))
def test_registered_blocks_lint_clean(block, tmp_path):
    v_path, _, _ = write_design(make_design(block, overrides=LINT_OVERRIDES.get(block)), tmp_path)
    lint_verilog(v_path)


def test_old_verilator_first_on_path_is_one_line(tmp_path):
    fake = tmp_path / "verilator"
    fake.write_text("#!/bin/sh\necho 'Verilator 5.006 2023-01-22 rev (Debian 5.006-3)'\n")
    fake.chmod(0o755)
    with pytest.raises(RtlError) as info:
        check_simulator(Simulator.VERILATOR, f"{tmp_path}{os.pathsep}/usr/bin")
    message = str(info.value)
    assert "\n" not in message
    assert re.match(rf"^{re.escape(str(fake))} is Verilator 5\.006, too old for cocotb 2 \(needs >= 5\.036\)", message)


def test_bit_serial_adder_equals_integer_adder():
    rng = random.Random(5)
    for _ in range(3000):
        width = rng.randint(2, 20)
        bits = rng.randint(1, width)
        lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
        op = AdderOp(rng.randint(lo, hi), sub=rng.random() < 0.5, clear=rng.random() < 0.2)
        acc = rng.randint(lo, hi)
        assert bit_serial_add(acc, op, width, bits) == add_step(acc, op, width, bits)


def test_ternary_block_rejects_an_arch_of_another_family():
    with pytest.raises(RtlError, match=r"^arch 'sparse-attn-fpga' is of family 'attention', but RTL block "
                                       r"'ternary_adder' needs an arch of family 'imc'$"):
        make_design("ternary_adder", "sparse-attn-fpga")


@pytest.mark.parametrize("block", ["ternary_adder", "ternary_dot_engine"])
def test_carry_write_back_variants_lint_clean(block, tmp_path):
    v_path, _, _ = write_design(make_design(block, "parapim"), tmp_path)
    lint_verilog(v_path)
