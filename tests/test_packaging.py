"""The package: everything importable under `hwsim`, nothing that a local folder can shadow."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_lists_every_package_under_hwsim():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.relative_to(ROOT).parts[:-1]) for p in (ROOT / "hwsim").rglob("__init__.py")}
    mapped = {name for name in config["package-dir"] if name}
    assert listed == found | mapped, (sorted(found | mapped - listed), sorted(listed - found - mapped))
    assert all(name == "hwsim" or name.startswith("hwsim.") for name in listed)
    assert config["package-dir"] == {"": ".", "hwsim.rtl": "rtl", "hwsim.models": "models",
                                     "hwsim.testbench": "testbench"}


def test_no_module_imports_the_bare_top_level_folders():
    bare = re.compile(r"^\s*(from|import)\s+(rtl|models|testbench)(\.|\s|$)", re.M)
    offenders = [str(p.relative_to(ROOT)) for folder in ("hwsim", "rtl", "testbench", "tests", "benchmarks")
                 for p in (ROOT / folder).rglob("*.py") if bare.search(p.read_text())]
    assert offenders == []


def test_a_local_rtl_folder_does_not_shadow_hwsims(tmp_path):
    (tmp_path / "rtl").mkdir()
    (tmp_path / "rtl" / "__init__.py").write_text("raise SystemExit('the wrong rtl package')\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "__init__.py").write_text("raise SystemExit('the wrong models package')\n")
    proc = subprocess.run([sys.executable, "-m", "hwsim", "rtl", "generate", "ternary_adder", "--out",
                           str(tmp_path / "gen")], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "gen" / "ternary_adder.v").exists()
    proc = subprocess.run([sys.executable, "-m", "hwsim", "list", "models"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0 and "resnet18" in proc.stdout.split()


def test_the_price_layer_does_not_import_rtl():
    """cost/ prices counts; it never reaches into the RTL (rtl/ may use cost's estimates, not back)."""
    code = ("import pkgutil, importlib, sys, hwsim.cost as c\n"
            "for m in pkgutil.iter_modules(c.__path__): importlib.import_module('hwsim.cost.' + m.name)\n"
            "print(sorted(n for n in sys.modules if n.startswith(('hwsim.rtl', 'amaranth'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr
