"""Outputs that tell the truth: write errors are one line and non-zero, several outputs are written all or none."""

from __future__ import annotations

import errno
import os

import pytest

from hwsim.cli import main
from hwsim.errors import HwsimError
from hwsim.report import atomic
from hwsim.report.atomic import OutputSet


def _fail(err: int, strerror: str):
    def raise_(*args, **kwargs):
        raise OSError(err, strerror)
    return raise_


@pytest.mark.parametrize("call, err, strerror", [
    ("write", errno.ENOSPC, "No space left on device"),
    ("fsync", errno.EIO, "Input/output error"),
    ("open", errno.EACCES, "Permission denied"),
])
def test_a_write_error_is_one_line_and_changes_nothing(tmp_path, monkeypatch, call, err, strerror):
    old, new = tmp_path / "old.json", tmp_path / "sub" / "new.csv"
    old.write_text("previous\n")
    monkeypatch.setattr(atomic.os, call, _fail(err, strerror))
    outputs = OutputSet()
    outputs.add(old, "a")
    outputs.add(new, "b")
    with pytest.raises(HwsimError, match=rf"^{tmp_path}/old\.json: cannot write \({strerror}\)$"):
        outputs.commit()
    monkeypatch.undo()
    assert old.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]  # no temporary, the new folder removed


def test_a_failed_rename_puts_back_every_earlier_output(tmp_path, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "b.csv"
    first.write_text("old a\n")
    real_replace = os.replace

    def replace(src, dst):
        if str(dst) == str(second):
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    outputs = OutputSet()
    outputs.add(first, "new a\n")
    outputs.add(second, "new b\n")
    with pytest.raises(HwsimError, match=r"b\.csv: cannot write \(Input/output error\)$"):
        outputs.commit()
    monkeypatch.undo()
    assert first.read_text() == "old a\n" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_the_cli_exits_2_with_one_line_on_a_full_disk(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(atomic.os, "write", _fail(errno.ENOSPC, "No space left on device"))
    status = main(["simulate", "--model", "mlp", "--arch", "fat", "--quiet", "--json", str(tmp_path / "r.json"),
                   "--csv", str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert status == 2 and err == f"hwsim: error: {tmp_path}/r.json: cannot write (No space left on device)\n"
    assert list(tmp_path.iterdir()) == []
