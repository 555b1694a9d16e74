"""A feature whose optional dependency is missing says which extra installs it, in one line."""

import importlib.util
import tomllib
from pathlib import Path

import pytest

from hwsim import extras
from hwsim.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def without(monkeypatch):
    """Make ``find_spec`` report the given packages as not installed."""

    def hide(*packages):
        real = importlib.util.find_spec
        monkeypatch.setattr(extras.importlib.util, "find_spec",
                            lambda name, *a, **k: None if name in packages else real(name, *a, **k))

    return hide


def test_missing_onnx_names_the_extra(without, tmp_path, capsys):
    without("onnx")
    model = tmp_path / "net.onnx"
    model.write_bytes(b"\x08\x07")
    assert main(["simulate", "--model", str(model), "--arch", "fat", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"hwsim: error: {model}: reading an ONNX model needs the 'onnx' package, which is not "
                   "installed: pip install 'hwsim[onnx]'")


def test_missing_matplotlib_names_the_extra(without, tmp_path, capsys):
    without("matplotlib")
    out = tmp_path / "p.png"
    assert main(["simulate", "--model", "mlp", "--arch", "fat", "--quiet", "--plot", str(out)]) == 2
    assert "a PNG plot needs the 'matplotlib' package, which is not installed: pip install 'hwsim[plot]'" in \
        capsys.readouterr().err
    assert not out.exists()


def test_every_optional_package_belongs_to_a_declared_extra():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(extras.EXTRA_OF.values()) <= set(declared)
    core = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {d.split(">")[0].split("=")[0].split("[")[0] for d in core} == {"numpy", "numba", "pydantic", "pyyaml",
                                                                           "rich"}
