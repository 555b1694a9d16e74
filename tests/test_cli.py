"""The command line: exit status 2 with one line and no traceback on bad input; files only on success."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hwsim.cli import main


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hwsim", *args], capture_output=True, text=True, cwd=cwd)


def test_simulate_writes_json_csv_and_plot(tmp_path):
    out = tmp_path / "r.json"
    status = main(["simulate", "--model", "mlp", "--arch", "fat", "--quiet", "--json", str(out),
                   "--csv", str(tmp_path / "r.csv"), "--plot", str(tmp_path / "r.png")])
    assert status == 0
    report = json.loads(out.read_text())
    assert report["schema"] == "hwsim.report/1"
    assert report["total"]["cycles"] == sum(layer["cycles"] for layer in report["layers"])
    rows = (tmp_path / "r.csv").read_text().splitlines()
    assert len(rows) == 1 + len(report["layers"])
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "--model", "mlp", "--arch", "nosuch"], "nosuch"),
        (["simulate", "--model", "nosuch", "--arch", "fat"], "nosuch"),
        (["simulate", "--model", "mlp", "--arch", "fat", "--set", "banks=0"], "banks"),
        (["simulate", "--model", "mlp", "--arch", "fat", "--set", "workload.weight_sparsity=1.5"], "weight_sparsity"),
        (["simulate", "--model", "mlp", "--arch", "fat", "--set", "no_equals_sign"], "KEY=VALUE"),
        (["compare", "--model", "mlp", "--arch", "fat"], "exactly two"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(tmp_path, args, message):
    out = tmp_path / "r.json"
    proc = _run(*args, "--json", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hwsim: error: ") and message in lines[0]
    assert not out.exists()


def test_usage_error_exits_2():
    proc = _run("simulate", "--model", "mlp")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_failed_run_leaves_an_earlier_result_untouched(tmp_path):
    out = tmp_path / "r.json"
    assert main(["simulate", "--model", "mlp", "--arch", "fat", "--quiet", "--json", str(out)]) == 0
    before = out.read_text()
    proc = _run("simulate", "--model", "mlp", "--arch", "fat", "--set", "subarray.rows=-1", "--json", str(out))
    assert proc.returncode == 2
    assert out.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_list_shows_presets_and_models():
    proc = _run("list", "archs")
    assert proc.returncode == 0 and {"fat", "parapim"} <= set(proc.stdout.split())
    proc = _run("list", "models")
    assert proc.returncode == 0 and {"resnet18", "vgg16", "mlp"} <= set(proc.stdout.split())
