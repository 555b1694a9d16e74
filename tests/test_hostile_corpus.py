"""Every case of the bad-input corpus (tests/hostile_corpus.py): status, one line, no traceback, no partial output.

Cases run in-process through ``hwsim.cli.main`` (fast: one import of hwsim for all of them);
the few whose point is a real file descriptor (standard output on a full disk) run as a
subprocess.  Each case gets its own folder ``{d}``; after a refused run the folder must hold
exactly what it held before (same names, same bytes): nothing half-written, no temporary
file, no results store created by a command that was refused.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hwsim.cli import main

from hostile_corpus import CASES, Case

SECONDS_PER_CASE = 60  # a case that hangs fails instead of hanging the suite


def test_corpus_is_large_and_ids_are_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 160


def _make_files(case: Case, d: Path) -> None:
    for name, content in case.files.items():
        path = d / name
        if callable(content):
            content(path)
        elif isinstance(content, str):
            path.write_bytes(str(content).replace("{d}", str(d)).encode())
        else:
            path.write_bytes(content)


def _snapshot(d: Path) -> dict[str, str]:
    """Every entry under ``d``: a file's hash, a link's target, or the kind of a special file."""
    out = {}
    for root, dirs, files in os.walk(d):
        for name in dirs + files:
            path = Path(root) / name
            rel = str(path.relative_to(d))
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                out[rel] = "dir"
            elif path.is_fifo():
                out[rel] = "fifo"
            elif path.stat().st_size > 1 << 24:
                out[rel] = f"{path.stat().st_size} bytes"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _run_in_process(argv: list[str], capsys) -> tuple[int, str]:
    def timeout(signum, frame):
        raise TimeoutError(f"case still running after {SECONDS_PER_CASE} s")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(SECONDS_PER_CASE)
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse
        status = exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return status, capsys.readouterr().err


def _run_subprocess(argv: list[str]) -> tuple[int, str]:
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "hwsim", *argv], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=SECONDS_PER_CASE)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input(case: Case, tmp_path, capsys):
    d = tmp_path / "d"
    d.mkdir()
    _make_files(case, d)
    before = _snapshot(d)
    argv = [arg.replace("{d}", str(d)) for arg in case.argv]
    status, err = _run_subprocess(argv) if case.subprocess else _run_in_process(argv, capsys)
    assert "Traceback" not in err
    assert status == case.status, err
    if case.status == 0:
        for name in case.expect:
            assert (d / name).is_file(), f"{name} was not written"
        return
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    pattern = case.message.replace("{d}", re.escape(str(d)))
    if not pattern.startswith("^"):
        pattern = "^hwsim: error: (" + pattern + ")$"
    assert re.match(pattern, lines[0]), f"\n{lines[0]}\ndoes not match\n{pattern}"
    assert _snapshot(d) == before, "a refused command changed its folder"
