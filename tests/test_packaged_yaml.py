"""hwsim's own YAML files are parsed once and their data kept beside the bytecode; a user's never."""

from __future__ import annotations

import sys

import pytest

from hwsim.errors import SpecError
from hwsim.spec import strict_yaml
from hwsim.spec.loading import read_yaml_mapping


def _no_parser(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("parsed although an entry was kept")

    monkeypatch.setattr(strict_yaml, "load_yaml", refuse)


def test_a_packaged_file_is_read_from_its_entry_until_its_text_changes(package, monkeypatch):
    source = package / "a.yaml"
    source.write_text("name: a\nrows: 512\nratio: 0.5\nflags: [true, null, x]\n")
    first = read_yaml_mapping(source)
    assert first == {"name": "a", "rows": 512, "ratio": 0.5, "flags": [True, None, "x"]}
    assert (package / "__pycache__" / "a.yaml.json").is_file()
    with monkeypatch.context() as m:
        _no_parser(m)
        again = read_yaml_mapping(source)
    assert again == first and type(again["rows"]) is int and type(again["flags"][0]) is bool
    source.write_text("name: b\n")  # edited: parsed afresh, the entry replaced
    assert read_yaml_mapping(source) == {"name": "b"}
    with monkeypatch.context() as m:
        _no_parser(m)
        assert read_yaml_mapping(source) == {"name": "b"}


def test_nothing_is_kept_for_a_users_file_without_bytecode_or_for_data_json_cannot_hold(package, tmp_path,
                                                                                        monkeypatch):
    user = tmp_path / "user.yaml"
    user.write_text("name: u\n")
    read_yaml_mapping(user)
    assert not (tmp_path / "__pycache__").exists()
    (package / "keys.yaml").write_text("1: one\n")  # an integer key would come back a string
    (package / "date.yaml").write_text("when: 2026-12-06\n")
    read_yaml_mapping(package / "keys.yaml")
    read_yaml_mapping(package / "date.yaml")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    (package / "b.yaml").write_text("name: b\n")
    read_yaml_mapping(package / "b.yaml")
    assert list(package.glob("**/*.json")) == []  # (the package's own bytecode may be there)


def test_a_broken_entry_is_ignored_and_a_broken_file_keeps_its_error(package):
    source = package / "a.yaml"
    source.write_text("name: a\n")
    read_yaml_mapping(source)
    entry = package / "__pycache__" / "a.yaml.json"
    for junk in (b"\xff not json", b"[1, 2]", b'{"sha256": 1, "data": {}}', b"[" * 100_000):
        entry.write_bytes(junk)
        assert read_yaml_mapping(source) == {"name": "a"}
    source.write_text("name: a\nname: b\n")
    with pytest.raises(SpecError, match=r"a.yaml: line 2, column 1: duplicate key 'name' \(first at line 1\)"):
        read_yaml_mapping(source)


def test_an_entry_of_another_hwsim_version_is_not_used(package, monkeypatch):
    import hwsim

    source = package / "a.yaml"
    source.write_text("name: a\n")
    read_yaml_mapping(source)
    monkeypatch.setattr(hwsim, "__version__", "9.9.9")  # an upgrade that kept the old entry
    with monkeypatch.context() as m:
        _no_parser(m)
        with pytest.raises(AssertionError, match="parsed although an entry was kept"):
            read_yaml_mapping(source)
    assert read_yaml_mapping(source) == {"name": "a"}  # parsed again, and kept for this version
    with monkeypatch.context() as m:
        _no_parser(m)
        assert read_yaml_mapping(source) == {"name": "a"}
