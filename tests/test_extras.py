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
    assert {d.split(">")[0].split("=")[0].split("[")[0] for d in core} == {"annotated-types", "numpy", "pydantic",
                                                                           "pyyaml", "rich"}


def test_notebook_api_takes_names_dicts_and_specs():
    import yaml

    from hwsim import api

    by_name = api.simulate("mlp", "fat")
    spec = api.load_arch("fat")
    arch_dict = yaml.safe_load((ROOT / "hwsim" / "presets" / "fat.yaml").read_text())
    model_dict = yaml.safe_load((ROOT / "models" / "mlp.yaml").read_text())
    assert api.simulate(model_dict, arch_dict).total.cycles == by_name.total.cycles
    assert api.load_arch(spec) is spec and api.load_arch(spec, overrides={"banks": 4}).banks == 4
    frame = by_name.to_dataframe()
    assert list(frame.index) == [layer.name for layer in by_name.layers]
    assert frame["cycles"].sum() == by_name.total.cycles
    assert any(column.startswith("energy_pj.") for column in frame.columns)
    html = by_name._repr_html_()
    assert html.startswith("<div><b>mlp on fat</b>") and "<td>fc1</td>" in html
    from hwsim.errors import HwsimError

    with pytest.raises(HwsimError, match=r"^arch: expected a preset name, a path, a dict or a spec, got int$"):
        api.load_arch(3)


def test_api_sweep_runs_a_sweep_file(tmp_path):
    from hwsim import api

    spec = tmp_path / "s.yaml"
    spec.write_text("schema: hwsim.sweep/1\nname: tiny\nmodels: mlp\ndesigns:\n  - arch: fat\n"
                    "    parameters: {banks: [4, 8]}\nobjectives: {latency: minimize, energy: minimize}\n")
    summary = api.sweep(spec, tmp_path / "r.db", workers=1)
    assert (summary.ran, summary.stored) == (2, 2)
