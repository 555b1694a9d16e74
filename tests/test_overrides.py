"""``--set key.path=value`` overrides: parsed as YAML, applied before validation, checked like YAML."""

from __future__ import annotations

import pytest

from hwsim.errors import SpecError
from hwsim.spec.arch import load_arch_spec
from hwsim.spec.enums import AdditionScheme, DataMapping, Objective
from hwsim.spec.loading import apply_override, parse_override


def test_override_changes_nested_size():
    spec = load_arch_spec("fat", {"subarray.rows": 256})
    assert spec.subarray.rows == 256
    assert load_arch_spec("fat").subarray.rows == 512  # the preset itself is untouched


def test_override_changes_top_level_and_enum():
    spec = load_arch_spec("parapim", {"banks": 2, "data_mapping": "input_stationary", "mapping_objective": "latency"})
    assert spec.banks == 2
    assert spec.subarrays == 2 * 64
    assert spec.data_mapping is DataMapping.INPUT_STATIONARY
    assert spec.mapping_objective is Objective.LATENCY


def test_override_reaches_list_items_by_index():
    spec = load_arch_spec("parapim", {"sense_amp.micro_ops.1.latency_cycles": 3})
    assert spec.sense_amp.micro_ops[1].latency_cycles == 3
    assert spec.bit_step_cycles == 1 + 3 + 1 + 1


def test_override_is_validated_like_yaml():
    with pytest.raises(SpecError, match=r"^preset 'fat': key 'subarray.rows' = 0: Input should be greater than 0$"):
        load_arch_spec("fat", {"subarray.rows": 0})
    with pytest.raises(SpecError, match=r"^preset 'fat': key 'banks' = -1: Input should be greater than 0$"):
        load_arch_spec("fat", {"banks": -1})
    with pytest.raises(SpecError, match=r"^preset 'fat': key 'clock_mhz' = 0: Input should be greater than 0$"):
        load_arch_spec("fat", {"clock_mhz": 0})
    with pytest.raises(SpecError, match=r"^preset 'fat': key 'clock_mhz' = 'fast': Input should be a valid number"):
        load_arch_spec("fat", {"clock_mhz": "fast"})


def test_override_can_make_scheme_inconsistent():
    with pytest.raises(SpecError, match=r"^preset 'fat': key 'sense_amp': sa_latched_carry needs .*'write_carry'$"):
        load_arch_spec("fat", {"sense_amp.micro_ops.1.op": "write_carry"})
    with pytest.raises(SpecError, match=r"^preset 'fat': key 'sense_amp': carry_write_back needs a 'write_carry'"):
        load_arch_spec("fat", {"sense_amp.addition_scheme": "carry_write_back"})


def test_scheme_swap_with_matching_micro_ops_is_accepted():
    spec = load_arch_spec(
        "fat", {"sense_amp.addition_scheme": "carry_write_back", "sense_amp.micro_ops.1.op": "write_carry"}
    )
    assert spec.sense_amp.addition_scheme is AdditionScheme.CARRY_WRITE_BACK
    assert spec.sense_amp.carry_rows == 1


def test_override_of_unknown_leaf_key_names_it():
    with pytest.raises(SpecError, match=r"^preset 'fat': unknown key 'subarray.rowz'$"):
        load_arch_spec("fat", {"subarray.rowz": 256})


def test_override_of_unknown_top_level_key_names_it():
    with pytest.raises(SpecError, match=r"^preset 'parapim': unknown key 'bankz'$"):
        load_arch_spec("parapim", {"bankz": 2})


def test_override_through_unknown_key_names_the_missing_level():
    with pytest.raises(SpecError, match=r"^preset 'fat': --set subarray\.foo\.bar: unknown key 'subarray\.foo'$"):
        load_arch_spec("fat", {"subarray.foo.bar": 1})


def test_override_through_a_scalar_is_rejected():
    with pytest.raises(SpecError, match=r"^preset 'fat': --set banks\.count: 'banks' is not a mapping$"):
        load_arch_spec("fat", {"banks.count": 1})


def test_override_of_missing_list_item_rejected():
    with pytest.raises(SpecError, match=r"^preset 'fat': --set sense_amp\.micro_ops\.7\.op: no list item 'sense_amp\.micro_ops\.7'$"):
        load_arch_spec("fat", {"sense_amp.micro_ops.7.op": "sense"})


def test_override_on_a_file_names_the_file(tmp_path, preset_text):
    path = tmp_path / "mine.yaml"
    path.write_text(preset_text("fat"))
    with pytest.raises(SpecError, match=rf"^{path}: key 'subarray.cols' = 0: "):
        load_arch_spec(str(path), {"subarray.cols": 0})


def test_apply_override_does_not_mutate_its_input():
    data = {"a": {"b": 1}, "items": [{"x": 1}]}
    out = apply_override(data, "a.b", 2, "test")
    out = apply_override(out, "items.0.x", 5, "test")
    assert data == {"a": {"b": 1}, "items": [{"x": 1}]}
    assert out == {"a": {"b": 2}, "items": [{"x": 5}]}


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("subarray.rows=256", "subarray.rows", 256),
        ("clock_mhz=250.5", "clock_mhz", 250.5),
        ("skip_unit.zero_skip=false", "skip_unit.zero_skip", False),
        ("data_mapping=weight_stationary", "data_mapping", "weight_stationary"),
        ("name=a=b", "name", "a=b"),
        (" banks =4", "banks", 4),
        ("description=", "description", ""),
    ],
)
def test_parse_override_reads_value_as_yaml(text, key, value):
    assert parse_override(text) == (key, value)


def test_parse_override_without_equals_rejected():
    with pytest.raises(SpecError, match=r"^--set 'subarray\.rows': expected KEY=VALUE$"):
        parse_override("subarray.rows")


@pytest.mark.parametrize("text", ["=3", "a..b=3", "a.=3"])
def test_parse_override_with_empty_key_rejected(text):
    with pytest.raises(SpecError, match=rf"^--set '{text}': empty key path$".replace(".", r"\.")):
        parse_override(text)
