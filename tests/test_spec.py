"""Strict accelerator specs: presets load, bad YAML is refused with a sentence naming its place."""

from __future__ import annotations

import dataclasses
import re

import pytest

from hwsim.errors import HwsimError, SpecError
from hwsim.spec.arch import load_arch_spec, preset_names
from hwsim.spec.enums import AdditionScheme, DataMapping, Family, MicroOp, Objective
from hwsim.spec.imc import ImcSpec


# --- presets -------------------------------------------------------------------------------


def test_presets_are_listed():
    assert {"fat", "parapim"} <= set(preset_names())


def test_fat_preset_loads_with_enums_and_sizes():
    spec = load_arch_spec("fat")
    assert isinstance(spec, ImcSpec)
    assert spec.name == "fat"
    assert spec.family is Family.IMC
    assert spec.clock_mhz == 500.0
    assert (spec.banks, spec.subarrays_per_bank, spec.subarrays) == (8, 64, 512)
    assert (spec.subarray.rows, spec.subarray.cols) == (512, 256)
    assert spec.subarray.cell.technology == "SOT-MRAM"
    assert spec.sense_amp.addition_scheme is AdditionScheme.SA_LATCHED_CARRY
    assert [m.op for m in spec.sense_amp.micro_ops] == [MicroOp.SENSE, MicroOp.LATCH_CARRY, MicroOp.WRITE_SUM]
    assert [m.latency_cycles for m in spec.sense_amp.micro_ops] == [1, 0, 1]
    assert spec.sense_amp.micro_ops[0].rows_activated == 2
    assert spec.sense_amp.carry_rows == 0
    assert spec.bit_step_cycles == 2
    assert spec.skip_unit.zero_skip is True
    assert spec.skip_unit.weights_per_cycle == 8
    assert spec.data_mapping is DataMapping.COMBINED_STATIONARY
    assert spec.mapping_objective is Objective.EDP  # schema default


def test_parapim_preset_loads_with_carry_write_back():
    spec = load_arch_spec("parapim")
    assert spec.name == "parapim"
    assert spec.sense_amp.addition_scheme is AdditionScheme.CARRY_WRITE_BACK
    assert [m.op for m in spec.sense_amp.micro_ops] == [
        MicroOp.SENSE, MicroOp.WRITE_CARRY, MicroOp.SENSE, MicroOp.WRITE_SUM,
    ]
    assert [m.rows_activated for m in spec.sense_amp.micro_ops] == [3, 0, 3, 0]
    assert spec.sense_amp.carry_rows == 1
    assert spec.bit_step_cycles == 4
    assert spec.skip_unit.zero_skip is False
    assert spec.data_mapping is DataMapping.WEIGHT_STATIONARY


def test_every_number_names_its_source():
    spec = load_arch_spec("fat")
    assert all(m.source for m in spec.sense_amp.micro_ops)
    assert spec.subarray.cell.source and spec.subarray.peripheral_source
    assert spec.sense_amp.area_source and spec.skip_unit.source
    assert spec.interconnect.source and spec.weight_buffer.source


def test_preset_loads_from_its_yaml_path(tmp_path, preset_text):
    path = tmp_path / "copy.yaml"
    path.write_text(preset_text("parapim"))
    assert load_arch_spec(str(path)) == load_arch_spec("parapim")


# --- frozen ----------------------------------------------------------------------------------


def test_spec_is_frozen():
    spec = load_arch_spec("fat")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.banks = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.subarray.rows = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.sense_amp.micro_ops[0].latency_cycles = 5
    assert spec.banks == 8 and spec.subarray.rows == 512


def test_micro_op_sequence_is_immutable():
    spec = load_arch_spec("fat")
    assert isinstance(spec.sense_amp.micro_ops, tuple)


# --- bad YAML files --------------------------------------------------------------------------


def _write_variant(tmp_path, text: str, name: str = "arch.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_unknown_top_level_key_rejected(tmp_path, preset_text):
    path = _write_variant(tmp_path, preset_text("fat") + "colour: blue\n")
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: unknown key 'colour'$"):
        load_arch_spec(str(path))


def test_unknown_nested_key_rejected(tmp_path, preset_text):
    text = preset_text("fat").replace("  rows: 512\n", "  rows: 512\n  rowz: 3\n")
    path = _write_variant(tmp_path, text)
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: unknown key 'subarray.rowz'$"):
        load_arch_spec(str(path))


def test_unknown_key_in_micro_op_names_its_index(tmp_path, preset_text):
    text = preset_text("fat").replace("    - op: write_sum\n", "    - op: write_sum\n      delay_ns: 3\n")
    path = _write_variant(tmp_path, text)
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: unknown key 'sense_amp.micro_ops\[2\].delay_ns'$"):
        load_arch_spec(str(path))


def test_wrong_type_rejected_quoting_value(tmp_path, preset_text):
    path = _write_variant(tmp_path, preset_text("fat").replace("\nbanks: 8\n", "\nbanks: eight\n"))
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: key 'banks' = 'eight': .*valid integer"):
        load_arch_spec(str(path))


def test_fractional_integer_rejected(tmp_path, preset_text):
    path = _write_variant(tmp_path, preset_text("fat").replace("\nbanks: 8\n", "\nbanks: 8.5\n"))
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: key 'banks' = 8.5: .*valid integer"):
        load_arch_spec(str(path))


def test_unknown_enum_value_rejected_listing_choices(tmp_path, preset_text):
    path = _write_variant(tmp_path, preset_text("fat").replace("data_mapping: combined_stationary", "data_mapping: diagonal"))
    with pytest.raises(
        SpecError, match=rf"^{re.escape(str(path))}: key 'data_mapping' = 'diagonal': .*'weight_stationary'"
    ):
        load_arch_spec(str(path))


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("\nbanks: 8\n", "\nbanks: true\n", "banks"),
        ("\nbanks: 8\n", '\nbanks: "8"\n', "banks"),
        ("  zero_skip: true\n", "  zero_skip: 1\n", "skip_unit.zero_skip"),
        ("  zero_skip: true\n", '  zero_skip: "yes"\n', "skip_unit.zero_skip"),
        ("clock_mhz: 500.0", 'clock_mhz: "500"', "clock_mhz"),
    ],
)
def test_no_silent_type_coercion(tmp_path, preset_text, old, new, key):
    text = preset_text("fat")
    assert old in text
    path = _write_variant(tmp_path, text.replace(old, new, 1))
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: key '{re.escape(key)}' = "):
        load_arch_spec(str(path))


@pytest.mark.parametrize(
    ("old", "new", "key", "value"),
    [
        ("  rows: 512\n", "  rows: 0\n", "subarray.rows", "0"),
        ("  cols: 256\n", "  cols: -4\n", "subarray.cols", "-4"),
        ("\nbanks: 8\n", "\nbanks: -1\n", "banks", "-1"),
        ("subarrays_per_bank: 64", "subarrays_per_bank: 0", "subarrays_per_bank", "0"),
        ("clock_mhz: 500.0", "clock_mhz: 0", "clock_mhz", "0"),
        ("  weights_per_cycle: 8\n", "  weights_per_cycle: 0\n", "skip_unit.weights_per_cycle", "0"),
        ("  width_bits: 256\n", "  width_bits: 0\n", "interconnect.width_bits", "0"),
        ("  area_um2: 0.0729\n", "  area_um2: -0.1\n", "subarray.cell.area_um2", "-0.1"),
    ],
)
def test_non_positive_size_rejected(tmp_path, preset_text, old, new, key, value):
    text = preset_text("fat")
    assert old in text
    path = _write_variant(tmp_path, text.replace(old, new, 1))
    pattern = rf"^{re.escape(str(path))}: key '{re.escape(key)}' = {re.escape(value)}: Input should be greater than 0$"
    with pytest.raises(SpecError, match=pattern):
        load_arch_spec(str(path))


def test_negative_micro_op_energy_rejected(tmp_path, preset_text):
    text = preset_text("fat").replace("\n      energy_pj: 0.15\n", "\n      energy_pj: -0.15\n", 1)
    path = _write_variant(tmp_path, text)
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: key 'sense_amp.micro_ops\[2\].energy_pj' = -0.15: "):
        load_arch_spec(str(path))


def test_latched_carry_with_write_carry_op_rejected(tmp_path, preset_text):
    text = preset_text("fat").replace("    - op: latch_carry\n", "    - op: write_carry\n")
    path = _write_variant(tmp_path, text)
    with pytest.raises(
        SpecError,
        match=rf"^{re.escape(str(path))}: key 'sense_amp': sa_latched_carry needs a 'latch_carry' micro-op and no 'write_carry'$",
    ):
        load_arch_spec(str(path))


def test_carry_write_back_without_write_carry_rejected(tmp_path, preset_text):
    text = preset_text("parapim").replace("    - op: write_carry\n", "    - op: latch_carry\n")
    path = _write_variant(tmp_path, text)
    with pytest.raises(
        SpecError,
        match=rf"^{re.escape(str(path))}: key 'sense_amp': carry_write_back needs a 'write_carry' micro-op and no 'latch_carry'$",
    ):
        load_arch_spec(str(path))


def test_micro_ops_without_write_sum_rejected():
    with pytest.raises(SpecError, match=r"^preset 'fat': key 'sense_amp': micro_ops must contain .*'write_sum'$"):
        load_arch_spec("fat", {"sense_amp.micro_ops.2.op": "sense"})


def test_zero_cycle_bit_step_rejected():
    zero = {f"sense_amp.micro_ops.{i}.latency_cycles": 0 for i in range(3)}
    with pytest.raises(SpecError, match=r"^preset 'fat': key 'sense_amp': the micro-ops of one bit must take at least one cycle$"):
        load_arch_spec("fat", zero)


def test_missing_key_rejected(tmp_path, preset_text):
    text = preset_text("fat").replace("clock_mhz: 500.0\n", "")
    path = _write_variant(tmp_path, text)
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: missing key 'clock_mhz'$"):
        load_arch_spec(str(path))


def test_wrong_schema_version_rejected(tmp_path, preset_text):
    path = _write_variant(tmp_path, preset_text("fat").replace("schema: hwsim.arch/1", "schema: hwsim.arch/9"))
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: key 'schema' = 'hwsim.arch/9': "):
        load_arch_spec(str(path))


def test_malformed_yaml_rejected_with_line(tmp_path):
    path = _write_variant(tmp_path, "schema: hwsim.arch/1\nname: [unclosed\nbanks: 8\n")
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: malformed YAML at line \d+, column \d+: "):
        load_arch_spec(str(path))


def test_bad_indentation_is_malformed_yaml(tmp_path):
    path = _write_variant(tmp_path, "schema: hwsim.arch/1\nsubarray:\n  rows: 4\n cols: 4\n")
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: malformed YAML at line 4, column \d+: "):
        load_arch_spec(str(path))


@pytest.mark.parametrize(("text", "kind"), [("- a\n- b\n", "a list"), ("", "an empty document"), ("42\n", "an integer")])
def test_non_mapping_yaml_rejected(tmp_path, text, kind):
    path = _write_variant(tmp_path, text)
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: expected a mapping at the top level, got {kind}$"):
        load_arch_spec(str(path))


def test_missing_file_rejected(tmp_path):
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: file not found$"):
        load_arch_spec(str(path))


def test_directory_is_not_a_spec(tmp_path):
    with pytest.raises(SpecError, match=rf"^{re.escape(str(tmp_path))}: is a directory, not a YAML document$"):
        load_arch_spec(str(tmp_path))


def test_unknown_preset_rejected_listing_presets():
    with pytest.raises(SpecError, match=r"^unknown arch 'fta': not a packaged arch \(.*fat, .*parapim.*\) nor a file$"):
        load_arch_spec("fta")


def test_unknown_family_rejected(tmp_path, preset_text):
    path = _write_variant(tmp_path, preset_text("fat").replace("family: imc", "family: quantum"))
    with pytest.raises(
        SpecError, match=rf"^{re.escape(str(path))}: key 'family' = 'quantum': expected one of imc, snn, attention, systolic, roofline$"
    ):
        load_arch_spec(str(path))


def test_family_not_yet_modelled_rejected(tmp_path, preset_text, monkeypatch):
    import hwsim.spec.arch as arch_module
    from hwsim.spec.enums import Family

    monkeypatch.setitem(arch_module.SPEC_CLASS_BY_FAMILY, Family.SNN, "hwsim.spec.no_such_family:Spec")
    path = _write_variant(tmp_path, preset_text("fat").replace("family: imc", "family: snn"))
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}: family 'snn' is not modelled yet"):
        load_arch_spec(str(path))


def test_spec_errors_are_hwsim_errors_of_one_line(tmp_path, preset_text):
    path = _write_variant(tmp_path, preset_text("fat").replace("  rows: 512\n", "  rows: 0\n"))
    with pytest.raises(HwsimError) as info:
        load_arch_spec(str(path))
    assert "\n" not in str(info.value)
