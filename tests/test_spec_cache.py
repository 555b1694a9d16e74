"""A packaged spec is validated once: later runs read the validated spec back without pydantic."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hwsim.spec import loading
from hwsim.spec.arch import load_arch_spec, preset_names, validate_arch
from hwsim.spec.base import EnergyEntry, FieldValueError, spec_data
from hwsim.spec.enums import DataMapping
from hwsim.spec.imc import ImcSpec

ROOT = Path(__file__).resolve().parents[1]
FAT_YAML = (ROOT / "hwsim" / "presets" / "fat.yaml").read_text()


def _validate(path: Path) -> ImcSpec:
    return loading.read_validated(path, lambda data: validate_arch(data, str(path)))


def _no_validation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("validated although a spec was kept")

    monkeypatch.setattr(loading, "validate", refuse)
    monkeypatch.setattr("hwsim.spec.arch.validate", refuse)


def test_a_validated_spec_is_read_back_until_its_text_or_a_class_source_changes(package, monkeypatch):
    source = package / "fat.yaml"
    source.write_text(FAT_YAML)
    first = _validate(source)
    entry = package / "__pycache__" / "fat.yaml.spec.pickle"
    assert entry.is_file()
    with monkeypatch.context() as m:
        _no_validation(m)
        again = _validate(source)
    assert again == first and again is not first and again.data_mapping is DataMapping.COMBINED_STATIONARY
    source.write_text(FAT_YAML.replace("banks: 8", "banks: 4"))  # edited: validated afresh, the entry replaced
    assert _validate(source).banks == 4
    # a spec class's module that changed since (another checkout, an edit): its entry is not used
    header, _, body = entry.read_bytes().partition(b"\n")
    entry.write_bytes(header.replace(b'"hwsim.spec.imc": "', b'"hwsim.spec.imc": "0') + b"\n" + body)
    with monkeypatch.context() as m:
        _no_validation(m)
        with pytest.raises(AssertionError, match="validated although"):
            _validate(source)


def test_a_broken_entry_is_ignored_and_nothing_is_kept_without_bytecode(package, monkeypatch):
    source = package / "fat.yaml"
    source.write_text(FAT_YAML)
    expected = _validate(source)
    entry = package / "__pycache__" / "fat.yaml.spec.pickle"
    header = entry.read_bytes().partition(b"\n")[0]
    for junk in (b"", b"\xff\n", header + b"\nnot a pickle", b'{"sha256": 1}\n'):
        entry.write_bytes(junk)
        assert _validate(source) == expected
    entry.unlink()
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _validate(source)
    assert not entry.exists()


def test_a_run_on_kept_specs_imports_neither_pydantic_nor_annotated_types(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = ("import sys; from hwsim import api; api.simulate(api.load_network('mlp'), api.load_arch('fat')); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'annotated_types')))")
    for _ in range(2):  # the first run keeps the specs (where the package folder is writable)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                             check=True).stdout
    if not os.access(ROOT / "hwsim" / "presets", os.W_OK):
        pytest.fail("the package folder is read-only here: nothing can be kept")
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_validates_again_from_its_spec_data(name):
    spec = load_arch_spec(name)
    assert validate_arch(spec_data(spec), name) == spec


def test_checks_run_on_specs_built_in_code():
    assert EnergyEntry(energy_pj=0.5, source="s") == EnergyEntry(pj=0.5, source="s")
    with pytest.raises(FieldValueError, match="once"):
        EnergyEntry(pj=0.5, energy_pj=0.5, source="s")
    fat = load_arch_spec("fat")
    assert dataclasses.replace(fat, data_mapping="search").data_mapping is None
    with pytest.raises(FieldValueError, match="expected one of 'search'"):
        dataclasses.replace(fat, data_mapping="diagonal")
    with pytest.raises(FieldValueError, match="expected 'imc'"):
        dataclasses.replace(fat, family="snn")
