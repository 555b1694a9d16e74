"""Sweep files: value expansion, seeded sampling, stable keys, and one-line errors for bad files."""

from __future__ import annotations

import re

import pytest

from hwsim.cli import main
from hwsim.dse.metrics import Goal, Metric
from hwsim.dse.points import expand_sweep, parameter_values, point_key
from hwsim.dse.sweep_spec import ParamSpec, load_sweep
from hwsim.errors import SpecError

from test_dse_support import MLP_SWEEP_POINTS, write_sweep

HEAD = "schema: hwsim.sweep/1\nname: t\nmodels: mlp\n"


def _param(data) -> ParamSpec:
    return ParamSpec.model_validate(data)


def test_list_range_and_log_range_values():
    assert parameter_values(_param([256, 512])) == (256, 512)
    assert parameter_values(_param(7)) == (7,)
    assert parameter_values(_param({"range": {"start": 200, "stop": 1000, "step": 200}})) == (200, 400, 600, 800, 1000)
    assert parameter_values(_param({"range": {"start": 0.1, "stop": 0.3, "step": 0.1}})) == (0.1, 0.2, 0.3)
    assert parameter_values(_param({"log_range": {"start": 2, "stop": 64, "num": 6}})) == (2, 4, 8, 16, 32, 64)
    # geomspace(1, 4, 5) = 1, 1.41, 2, 2.83, 4: rounding merges 1 and 1.41 instead of repeating 1.
    assert parameter_values(_param({"log_range": {"start": 1, "stop": 4, "num": 5}})) == (1, 2, 3, 4)


def test_grid_is_the_product_per_design(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path))
    points = expand_sweep(sweep, tmp_path)
    assert len(points) == MLP_SWEEP_POINTS
    assert len({p.key for p in points}) == MLP_SWEEP_POINTS
    fat = [p for p in points if p.design == "fat"]
    assert {(p.arch_overrides["banks"], p.arch_overrides["subarray.cols"]) for p in fat} == {
        (b, c) for b in (1, 2, 4) for c in (64, 128)}
    assert sweep.objectives == {Metric.LATENCY_S: Goal.MINIMIZE, Metric.ENERGY_PJ: Goal.MINIMIZE}


def test_keys_are_stable_and_ignore_order():
    a = point_key("mlp", "fat", {"banks": 2, "subarray.cols": 64})
    assert a == point_key("mlp", "fat", {"subarray.cols": 64, "banks": 2})
    assert a != point_key("mlp", "fat", {"banks": 2.0, "subarray.cols": 64})
    assert a != point_key("mlp", "parapim", {"banks": 2, "subarray.cols": 64})
    assert re.fullmatch(r"[0-9a-f]{32}", a)


RANDOM = HEAD + """\
seed: {seed}
designs:
  - arch: fat
    samples: 6
    parameters:
      banks: [1, 2, 4, 8]
      workload.weight_sparsity: {{uniform: {{low: 0.5, high: 0.9}}}}
"""


def test_random_sampling_is_seeded_distinct_and_in_bounds(tmp_path):
    def draw(seed):
        path = write_sweep(tmp_path, RANDOM.format(seed=seed), name=f"r{seed}.yaml")
        return [dict(p.parameters) for p in expand_sweep(load_sweep(path), tmp_path)]

    first, again, other = draw(1), draw(1), draw(2)
    assert first == again
    assert first != other
    assert len({tuple(sorted(p.items())) for p in first}) == 6
    for params in first:
        assert params["banks"] in (1, 2, 4, 8)
        assert 0.5 <= params["workload.weight_sparsity"] <= 0.9


def test_sampling_more_than_the_grid_is_an_error(tmp_path):
    path = write_sweep(tmp_path, HEAD + "designs:\n  - arch: fat\n    samples: 5\n    parameters: {banks: [1, 2]}\n")
    with pytest.raises(SpecError, match=r"^designs\[0\] \(fat\): samples 5 exceeds the 2 points of its grid$"):
        expand_sweep(load_sweep(path), tmp_path)


@pytest.mark.parametrize("body, message", [
    ("designs:\n  - arch: fat\n    paramters: {banks: [1]}\n",
     r"unknown key 'designs\[0\]\.paramters'"),
    ("designs:\n  - arch: fat\n    parameters: {banks: {range: {start: 8, stop: 2, step: 1}}}\n",
     r"key 'designs\[0\]\.parameters\.banks\.range': the range is empty \(start 8 > stop 2\)"),
    ("designs:\n  - arch: fat\n    parameters: {banks: []}\n",
     r"key 'designs\[0\]\.parameters\.banks': the list of values is empty"),
    ("designs:\n  - arch: fat\nconstraints: ['area_mm2 <= 1', 'area >= 2']\n",
     r"constraints 'area_mm2 >= 2' and 'area_mm2 <= 1' contradict: no value satisfies both"),
    ("designs:\n  - arch: fat\nconstraints: ['speed <= 1']\n",
     r"key 'constraints\[0\]' = 'speed <= 1': unknown metric 'speed' \(expected one of .*\)"),
    ("designs:\n  - arch: fat\n    parameters: {clock_mhz: {uniform: {low: 100, high: 500}}}\n",
     r"designs\[0\] \(fat\): random parameter 'clock_mhz' needs 'samples'"),
])
def test_bad_sweep_files_give_one_line_errors(tmp_path, capsys, body, message):
    path = write_sweep(tmp_path, HEAD + body)
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.fullmatch(rf"hwsim: error: {re.escape(str(path))}: {message}\n", err), err
    assert not (tmp_path / "r.db").exists()


def test_unknown_spec_field_fails_before_the_sweep_starts(tmp_path, capsys):
    path = write_sweep(tmp_path, HEAD + "designs:\n  - arch: fat\n    parameters: {subarray.colums: [64, 128]}\n")
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.db")]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"hwsim: error: preset 'fat': unknown key 'subarray\.colums'\n", err), err


def test_unknown_arch_is_named(tmp_path, capsys):
    path = write_sweep(tmp_path, HEAD + "designs:\n  - arch: fatt\n")
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.db")]) == 2
    assert re.fullmatch(r"hwsim: error: unknown arch 'fatt': not a packaged arch \(.*\) nor a file\n",
                        capsys.readouterr().err)


def test_the_shipped_example_is_valid():
    from pathlib import Path

    example = Path(__file__).parent.parent / "examples" / "sweep-resnet18.yaml"
    points = expand_sweep(load_sweep(example), example.parent)
    assert 150 <= len(points) <= 250
    assert {p.arch for p in points} >= {"fat", "parapim"}


def test_the_documented_example_is_valid(tmp_path):
    import textwrap

    import hwsim.dse.sweep_spec as module

    text = module.__doc__.split("::\n\n", 1)[1].split("\nA parameter", 1)[0]
    sweep = load_sweep(write_sweep(tmp_path, textwrap.dedent(text)))
    points = expand_sweep(sweep, tmp_path)
    assert len(points) == 2 * 2 * 2 + 50
    assert {p.design for p in points} == {"fat", "systolic"}


def test_dry_run_counts_points_per_design(tmp_path, capsys):
    assert main(["sweep", str(write_sweep(tmp_path)), "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "mlp on fat: 12 points", "mlp on parapim: 3 points",
        f"sweep 'mlp-small': {MLP_SWEEP_POINTS} points; the first point of each design loads"]
    assert main(["sweep", str(write_sweep(tmp_path))]) == 2
    assert capsys.readouterr().err == "hwsim: error: sweep needs --out PATH (the results store), or --dry-run\n"
