"""scripts/install.sh on a bare machine, simulated: fake tools on a PATH without the real ones."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_TOOLS = ("bash", "env", "dirname", "cat", "rm", "mkdir", "chmod", "sed", "grep")


def _bare(tmp_path, *, uid="1000", python="no-venv"):
    """A copy of the scripts and a PATH holding only basic tools, a fake `id` and a fake python3."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "install.sh", repo / "scripts" / "install.sh")
    shutil.copy(ROOT / "constraints.txt", repo / "constraints.txt")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in SYSTEM_TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    fake_python = {
        # Debian's python3 without python3-venv: ensurepip is missing
        "no-venv": 'case "$*" in *ensurepip*) exit 1 ;; esac\nexit 0\n',
        # a python whose venv is made but whose pip fails half-way
        "broken-pip": ('case "$*" in *"-m venv"*) mkdir -p .venv/bin; printf "#!/bin/sh\\nexit 1\\n" > .venv/bin/python;'
                       ' chmod +x .venv/bin/python ;; esac\nexit 0\n'),
    }[python]
    (bin_dir / "python3").write_text("#!/bin/sh\n" + fake_python)
    for tool in ("id", "python3"):
        os.chmod(bin_dir / tool, 0o755)
    return repo, {"PATH": str(bin_dir), "HOME": str(tmp_path)}


def _run(repo, env, *args):
    return subprocess.run(["bash", str(repo / "scripts" / "install.sh"), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_check_names_every_missing_package(tmp_path):
    repo, env = _bare(tmp_path)
    proc = _run(repo, env, "--check")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("install.sh: missing: python3-venv g++ make iverilog; install them with: "
                                   "sudo apt-get install -y python3-venv g++ make iverilog")


def test_without_root_or_sudo_it_prints_the_apt_line(tmp_path):
    repo, env = _bare(tmp_path)
    proc = _run(repo, env)
    assert proc.returncode == 2
    assert "this script cannot install them (not root, no password-less sudo): run  sudo apt-get install -y " \
           "python3-venv g++ make iverilog" in proc.stderr


def test_a_half_made_venv_is_removed_so_a_rerun_starts_clean(tmp_path):
    repo, env = _bare(tmp_path, python="broken-pip")
    for tool in ("g++", "make", "iverilog"):  # present: only the venv step can fail
        (Path(env["PATH"]) / tool).write_text("#!/bin/sh\nexit 0\n")
        os.chmod(Path(env["PATH"]) / tool, 0o755)
    proc = _run(repo, env)
    assert proc.returncode != 0
    assert "removing the unfinished .venv so that a rerun starts clean" in proc.stderr
    assert not (repo / ".venv").exists()


def test_unknown_option_is_one_line(tmp_path):
    repo, env = _bare(tmp_path)
    proc = _run(repo, env, "--fast")
    assert (proc.returncode, proc.stderr.strip()) == (2, "install.sh: unknown option '--fast' (use --check or --scalesim)")
