"""Fixtures shared by the core tests (helpers live in helpers.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpers import PRESET_DIR, TINY_MODEL_HEAD, TINY_MODEL_LAYERS


@pytest.fixture
def write_model(tmp_path):
    """Write a model YAML (the tiny head plus ``layers``) and return its path."""

    def write(layers: str = TINY_MODEL_LAYERS, head: str = TINY_MODEL_HEAD, name: str = "tiny.yaml") -> Path:
        path = tmp_path / name
        path.write_text(head + textwrap.dedent(layers))
        return path

    return write


@pytest.fixture
def preset_text():
    """The YAML text of a packaged preset, to edit into broken variants."""

    def read(name: str) -> str:
        return (PRESET_DIR / f"{name}.yaml").read_text()

    return read


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A folder that counts as one of hwsim's packages (its YAML files and specs are kept), with
    bytecode writing on."""
    import sys

    from hwsim.spec import packaged_yaml

    folder = tmp_path / "hwsim_test_package"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "hwsim_test_package", raising=False)  # another test's folder
    monkeypatch.setattr(packaged_yaml, "PACKAGES", ("hwsim_test_package",))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return folder
