"""Progress with ETA on long steps: Verilator and Icarus builds, numba compiling, simulations, mapper searches."""

from __future__ import annotations

import io
import json
import os
import re
import time

import pytest
from rich.console import Console

from hwsim.cli import main
from hwsim.progress import activity, eta_text, steps_left_text


def test_eta_text():
    assert eta_text(12.2, 20.0) == "12 s, about 8 s left"
    assert eta_text(3.0, None) == "3 s"
    assert eta_text(25.0, 20.0) == "25 s, longer than the 20 s it usually takes"


def test_steps_left_text():
    assert steps_left_text(2, 6, 10.0) == ", about 20 s left"
    assert steps_left_text(6, 6, 10.0) == ""


def test_activity_on_a_terminal_shows_the_step_and_the_time_left():
    out = io.StringIO()
    with activity("building x with verilator", 15.0, console=Console(file=out, force_terminal=True, width=120),
                  delay_s=0):
        time.sleep(0.3)
    assert "building x with verilator" in out.getvalue() and "about 15 s left" in out.getvalue()


def test_activity_prints_nothing_off_a_terminal_or_for_a_quick_step():
    off, quick = io.StringIO(), io.StringIO()
    with activity("x", 15.0, console=Console(file=off, force_terminal=False), delay_s=0):
        pass
    with activity("x", 15.0, console=Console(file=quick, force_terminal=True), delay_s=5):
        pass
    assert off.getvalue() == "" and quick.getvalue() == ""


@pytest.fixture
def recorded(monkeypatch):
    """Every activity started, as (label, expected seconds)."""
    calls = []

    def record(label, expected_s=None, **kwargs):
        calls.append((label, expected_s))
        return activity(label, expected_s, **kwargs)

    return calls, record


def test_a_build_shows_progress_and_the_next_build_expects_its_time(tmp_path, monkeypatch, recorded):
    from hwsim.rtlflow import runner
    from hwsim.rtlflow.generate import make_design

    calls, record = recorded
    monkeypatch.setattr(runner, "activity", record)

    class FakeRunner:  # the simulator's build, without the simulator
        def build(self, *, build_dir, **kwargs):
            time.sleep(0.05)

    monkeypatch.setattr(runner, "_runner", lambda sim: FakeRunner())
    first = make_design("ternary_adder", params={"width_bits": 4})
    second = make_design("ternary_adder", params={"width_bits": 5})
    build_dir, _ = runner.ensure_built(first, runner.Simulator.VERILATOR, False, tmp_path)
    took = json.loads((build_dir / "hwsim-built.json").read_text())["build_s"]
    os.utime(build_dir / "hwsim-built.json")
    runner.ensure_built(second, runner.Simulator.VERILATOR, False, tmp_path)
    assert calls == [("building ternary_adder with verilator", 15.0),  # no build yet: the typical time
                     ("building ternary_adder with verilator", took)]  # then the last build's


def test_the_mapper_shows_its_numba_compile(monkeypatch, recorded):
    from hwsim.mapping.loopnest import parallel

    calls, record = recorded
    monkeypatch.setattr(parallel, "activity", record)
    assert main(["map", "--model", "mlp", "--arch", "systolic-32x32-ws", "--budget", "50", "--quiet"]) == 0
    assert [label for label, _ in calls] == ["compiling the mapper's kernels with numba (the first run on a machine)"]


def test_simulate_shows_progress(monkeypatch, recorded):
    from hwsim import progress

    calls, record = recorded
    monkeypatch.setattr(progress, "activity", record)
    assert main(["simulate", "--model", "mlp", "--arch", "fat", "--quiet"]) == 0
    assert calls == [("simulating mlp on fat", None)]


def test_map_progress_lines_say_the_time_left(capsys):
    assert main(["map", "--model", "mlp", "--arch", "systolic-32x32-ws", "--budget", "50", "--workers", "1"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("hwsim map: [")]
    assert lines and all(re.search(r"about \d+ s left$", line) for line in lines[:-1]) and "left" not in lines[-1]

