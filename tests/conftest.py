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
