"""A short ``hwsim simulate`` imports only what it uses: start-up is most of its time."""

import os
import subprocess
import sys

# Packages (and hwsim modules) an IMC simulation has no use for; rich only draws the progress
# line of a step that lasts, numpy.ma came with np.unique; pydantic validates specs that have not
# been validated before (packaged ones are kept validated), logging serves -v, tempfile and gzip
# files that are written or compressed.
UNUSED = ("sklearn", "amaranth", "cocotb", "dask", "numba", "matplotlib", "rich", "numpy.ma", "hwsim.rtl",
          "hwsim.report.compare", "hwsim.report.tables", "pydantic", "annotated_types", "logging", "tempfile", "gzip")


def test_simulate_on_imc_imports_none_of_the_heavy_extras(tmp_path):
    dotted = tuple(name + "." for name in UNUSED)
    code = ("import sys\n"
            "from hwsim.cli import main\n"
            "assert main(['simulate', '--quiet', '--model', 'resnet18', '--arch', 'fat']) == 0\n"
            f"print(sorted(n for n in sys.modules if n in {UNUSED!r} or n.startswith({dotted!r})))")
    # the first run validates the packaged specs and keeps them, as any first run on a machine does
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", proc.stdout


def test_printed_tables_of_simulate_and_compare_do_not_import_rich(tmp_path):
    code = ("import sys\n"
            "from hwsim.cli import main\n"
            "assert main(['simulate', '--model', 'mlp', '--arch', 'fat']) == 0\n"
            "assert main(['compare', '--model', 'mlp', '--arch', 'fat', '--arch', 'parapim']) == 0\n"
            "print(sorted(n for n in sys.modules if n == 'rich' or n.startswith('rich.')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "┃ layer" in proc.stdout and "fat against parapim" in proc.stdout  # the tables were printed
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout


def test_the_command_keeps_blas_to_one_thread_unless_the_user_chose(tmp_path):
    code = ("import os\n"
            "from hwsim.cli import main\n"
            "assert main(['list', 'archs']) == 0\n"
            "import numpy\n"  # numpy's BLAS read the setting when loaded, after main set it
            "print(os.environ['OPENBLAS_NUM_THREADS'])")
    for given, expected in ((None, "1"), ("3", "3")):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
        if given is not None:
            env["OPENBLAS_NUM_THREADS"] = given
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                              env=env)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().splitlines()[-1] == expected
