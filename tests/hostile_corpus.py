"""The bad-input corpus: hostile or careless inputs and what hwsim must answer to each.

One :class:`Case` per row: the command line, the files it needs (written into a fresh folder
``{d}``), the exit status, and for a refusal the regular expression its one stderr line must
match (anchored; ``{d}`` is the folder).  ``tests/test_hostile_corpus.py`` runs every case
through ``hwsim.cli.main`` in-process (a subprocess only where a real file descriptor is the
point) and checks, beyond the status and the message, that there is no traceback and that
the folder holds exactly what it held before: no partial output, no temporary file.

``before`` says what the case did before issue 17's hardening, measured on the branch point
(``main`` at ac8bec7) where that was safe to run; it is documentation, not a check.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

import hwsim



class Template(str):
    """A document the cases edit: a ``replace`` that finds nothing fails, so a case cannot
    silently test the unchanged (valid) document after the packaged file moves on."""

    def replace(self, old: str, new: str, count: int = -1) -> "Template":  # type: ignore[override]
        if old not in self:
            raise AssertionError(f"corpus template has no {old!r}")
        return Template(str.replace(self, old, new, count))


PACKAGE = Path(hwsim.__file__).parent
MODELS = PACKAGE.parent / "models" if (PACKAGE.parent / "models" / "mlp.yaml").exists() else PACKAGE / "models"
FAT = Template((PACKAGE / "presets" / "fat.yaml").read_text())
SYSTOLIC = Template((PACKAGE / "presets" / "systolic-32x32-ws.yaml").read_text())
CFG = Template((PACKAGE / "presets" / "scalesim-32x32-ws.cfg").read_text())
MLP = Template((MODELS / "mlp.yaml").read_text())
SNN = Template((MODELS / "snn-digits.yaml").read_text()).replace("weights: snn-digits.npz", "weights: snn.npz")
ENCODER = Template((MODELS / "tiny-encoder.yaml").read_text())

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile input.

    ``files`` maps a name in ``{d}`` to its bytes, text, or a function that makes it (FIFOs,
    symlinks, stores).  ``message`` is a regular expression for the whole stderr line; without
    a leading ``^`` it is prefixed by ``hwsim: error: ``.  A case with status 0 must leave the
    ``expect`` files behind instead.
    """

    id: str
    argv: tuple[str, ...]
    message: str = ""
    files: dict[str, bytes | str | Setup] = field(default_factory=dict)
    status: int = 2
    expect: tuple[str, ...] = ()
    subprocess: bool = False
    before: str = ""


def sim(arch: str = "fat", model: str = "mlp", *extra: str) -> tuple[str, ...]:
    return ("simulate", "--model", model, "--arch", arch, "--quiet", "--json", "{d}/out.json", *extra)


ARCH = sim("{d}/a.yaml")
MODEL = sim("fat", "{d}/m.yaml")


# -- builders ---------------------------------------------------------------------------------

def bomb(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs": ``width ** levels`` nodes in a few hundred bytes."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def flow_bomb(levels: int = 8, width: int = 9) -> str:
    items = [f"&a0 [{', '.join(['1'] * width)}]"]
    for i in range(1, levels):
        items.append(f"&a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "[" + ", ".join(items) + "]"


def fifo(path: Path) -> None:
    os.mkfifo(path)


def symlink_to(target: str) -> Setup:
    def make(path: Path) -> None:
        path.symlink_to(target.replace("{d}", str(path.parent)))
    return make


def folder(path: Path) -> None:
    path.mkdir()


def npz(**arrays) -> Setup:
    def make(path: Path) -> None:
        np.savez(path, **arrays)
    return make


def pickled_npz(path: Path) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}, None], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("c1.npy", buffer.getvalue())


def npy_header_only(name: str, shape: tuple[int, ...], dtype: str = "|i1", data: bytes = b"") -> Setup:
    """An .npz whose member announces ``shape`` but holds only ``data`` (a zip bomb's header)."""
    def make(path: Path) -> None:
        header = {"descr": dtype, "fortran_order": False, "shape": shape}
        buffer = io.BytesIO()
        np.lib.format.write_array_header_1_0(buffer, header)
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"{name}.npy", buffer.getvalue() + data)
    return make


def truncated(source: Setup, keep: float = 0.5) -> Setup:
    def make(path: Path) -> None:
        source(path)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])
    return make


def big_file(size: int, head: bytes = b"") -> Setup:
    def make(path: Path) -> None:
        with open(path, "wb") as handle:
            handle.write(head)
            handle.truncate(size)  # sparse: cheap to make, large to read
    return make


def result_store(rows: int) -> Setup:
    def make(path: Path) -> None:
        from hwsim.dse.evaluate import PointResult, Status
        from hwsim.dse.points import DesignPoint
        from hwsim.dse.store import ResultStore

        with ResultStore(path) as store:
            for i in range(rows):
                key = f"{i:032x}"
                point = DesignPoint(key, "mlp", "fat", "fat", (("banks", i),), "mlp", "fat", "0" * 64, "0" * 64)
                store.write([(point, PointResult(key, Status.ERROR, None, "boom", 0.1, "w"))],
                            version="t", sweep_sha256="s")
    return make


def idx(dims: tuple[int, ...], data: bytes = b"") -> bytes:
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def onnx_model(make_graph: Callable[[], object]) -> Setup:
    def make(path: Path) -> None:
        import onnx

        path.write_bytes(onnx.helper.make_model(make_graph(), opset_imports=[onnx.helper.make_opsetid("", 17)])
                         .SerializeToString())
    return make


def _onnx_huge_input():
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 1_000_000_000, 8])
    w = helper.make_tensor("w", TensorProto.FLOAT, [2, 4, 1, 1], np.ones(8, np.float32))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    return helper.make_graph([helper.make_node("Conv", ["x", "w"], ["y"], name="conv")], "g", [x], [y], [w])


def _onnx_generator(op: str):
    def make():
        from onnx import TensorProto, helper

        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])
        w = helper.make_tensor("w", TensorProto.FLOAT, [8, 4], np.ones(32, np.float32))
        nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")]
        if op == "ConstantOfShape":
            shape = helper.make_tensor("shape", TensorProto.INT64, [2], [100_000, 100_000])
            nodes.append(helper.make_node("ConstantOfShape", ["shape"], ["big"], name="bomb"))
            inits = [w, shape]
        else:
            inits = [w, helper.make_tensor("start", TensorProto.INT64, [], [0]),
                     helper.make_tensor("limit", TensorProto.INT64, [], [10_000_000_000]),
                     helper.make_tensor("delta", TensorProto.INT64, [], [1])]
            nodes.append(helper.make_node("Range", ["start", "limit", "delta"], ["big"], name="bomb"))
        nodes.append(helper.make_node("Shape", ["big"], ["s"], name="shape_of"))
        nodes.append(helper.make_node("Reshape", ["y", "s"], ["z"], name="reshape"))
        z = helper.make_tensor_value_info("z", TensorProto.FLOAT, None)
        return helper.make_graph(nodes, "g", [x], [z], inits)
    return make


def _onnx_bad_initializer():
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[100_000, 100_000], raw_data=b"\0\0\0\0")
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    return helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")], "g", [x], [y], [w])


TINY_MODEL = Template("""\
schema: hwsim.model/1
name: tiny
input: {channels: 1, height: 4, width: 4}
quant: {weights: ternary, act_bits: 8}
workload: {weight_sparsity: 0.5, seed: 0, weights_file: w.npz}
layers:
  - {name: c1, type: conv, out: 2, kernel: 3, pad: 1}
  - {name: fc, type: linear, out: 3}
""")
GOOD_WEIGHTS = {"c1": np.ones((2, 1, 3, 3), np.int8), "fc": np.zeros((3, 32), np.int8)}


def model(head: str = "input: {channels: 1, height: 28, width: 28}", layers: str = "  - {name: fc1, type: linear, out: 10}",
          workload: str = "{weight_sparsity: 0.8, seed: 0}") -> str:
    return Template(f"schema: hwsim.model/1\nname: m\n{head}\nquant: {{weights: ternary, act_bits: 8}}\n"
                    f"workload: {workload}\nlayers:\n{layers}\n")


SWEEP = Template("""\
schema: hwsim.sweep/1
name: s
models: mlp
designs:
  - arch: fat
    parameters: {banks: [4, 8]}
""")
SWEEP_CMD = ("sweep", "{d}/s.yaml", "--out", "{d}/r.db", "--no-progress")
MAPPING = Template("""\
schema: hwsim.mapping/1
model: mlp
arch: systolic-32x32-ws
layers:
  - name: fc1
    dims: {N: 1, K: 256, C: 784, P: 1, Q: 1, R: 1, S: 1}
    spatial: {K: 32, C: 28}
    levels:
      - {name: pe_reg, loops: {C: 4}}
      - {name: filter_sram, loops: {C: 7}}
      - {name: ifmap_sram, loops: {K: 2}}
      - {name: ofmap_sram, loops: {}}
      - {name: dram, loops: {K: 4}}
""")
MAP_CMD = sim("systolic-32x32-ws", "mlp", "--mapping", "{d}/map.yaml")
CSV_HEAD = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
TOPO = sim("systolic-32x32-ws", "{d}/t.csv")
CFG_CMD = sim("{d}/c.cfg")
SNN_CMD = sim("snn-fpga", "{d}/snn.yaml")
SNN_FILES = {"snn.npz": lambda p: p.write_bytes((MODELS / "snn-digits.npz").read_bytes())}
TF_CMD = sim("sparse-attn-fpga", "{d}/tf.yaml")
REPORT_CMD = ("report", "{d}/r.json", "--html", "{d}/r.html")
EXPORT = ("export", "{d}/r.db", "--csv", "{d}/r.csv")
FAT_ANCHORED = FAT.replace("  rows: 512\n  cols: 256\n", "  rows: &rows 512\n  cols: *rows\n")


def latin1(text: str) -> bytes:
    return text.encode("utf-8").replace(b"SOT-MRAM IMC", b"SOT-MRAM \xe9MC", 1)


R = r"\d[\d,]*"  # a number as messages print it

CASES: list[Case] = [
    # -- arch YAML: encoding, size, structure ---------------------------------------------------
    Case("arch_latin1", ARCH, r"{d}/a\.yaml: not UTF-8 text: byte 0xe9 at offset \d+ \(line \d+\); save the file as UTF-8",
         {"a.yaml": latin1(FAT)}, before="traceback (UnicodeDecodeError)"),
    Case("arch_utf16", ARCH, r"{d}/a\.yaml: not UTF-8 text: byte 0xff at offset 0 \(line 1\); save the file as UTF-8",
         {"a.yaml": FAT.encode("utf-16")}, before="traceback (UnicodeDecodeError)"),
    Case("arch_utf8_bom_accepted", ARCH, files={"a.yaml": b"\xef\xbb\xbf" + FAT.encode()}, status=0, expect=("out.json",)),
    Case("arch_crlf_accepted", ARCH, files={"a.yaml": FAT.replace("\n", "\r\n")}, status=0, expect=("out.json",)),
    Case("arch_anchor_within_budget_accepted", ARCH, files={"a.yaml": FAT_ANCHORED}, status=0, expect=("out.json",)),
    Case("arch_billion_laughs", ARCH, r"{d}/a\.yaml: line \d+, column \d+: the aliases expand to more than 1,000,000 nodes",
         {"a.yaml": FAT + bomb()}, before="hangs (killed after 30 s), memory growing"),
    Case("arch_billion_laughs_small_bomb_in_description", ARCH,
         r"{d}/a\.yaml: line \d+, column \d+: the aliases expand to more than 1,000,000 nodes",
         {"a.yaml": FAT.replace("description: >-", "description: *l6\nold_description: >-") .replace("schema:", bomb(7) + "schema:", 1)},
         before="hangs"),
    Case("arch_too_many_aliases", ARCH, r"{d}/a\.yaml: line \d+, column \d+: more than 256 aliases \(\*name\)",
         {"a.yaml": FAT + "x: &x 1\ny: [" + ", ".join(["*x"] * 300) + "]\n"}),
    Case("arch_recursive_alias", ARCH, r"{d}/a\.yaml: line \d+, column \d+: an alias refers to a collection that contains it",
         {"a.yaml": FAT + "loop: &loop [1, *loop]\n"}, before="traceback (ValueError: Circular reference detected)"),
    Case("arch_deep_nesting", ARCH, r"{d}/a\.yaml: line 1, column \d+: nested more than 64 levels deep",
         {"a.yaml": "x: " + "[" * 500 + "]" * 500 + "\n" + FAT}, before="traceback (RecursionError)"),
    Case("arch_duplicate_top_key", ARCH, r"{d}/a\.yaml: line \d+, column 1: duplicate key 'banks' \(first at line \d+\)",
         {"a.yaml": FAT + "banks: 1\n"}, before="accepted: the last 'banks' silently wins"),
    Case("arch_duplicate_nested_key", ARCH, r"{d}/a\.yaml: line \d+, column 3: duplicate key 'rows' \(first at line \d+\)",
         {"a.yaml": FAT.replace("  rows: 512\n", "  rows: 512\n  rows: 16\n")}, before="accepted: the last wins"),
    Case("arch_duplicate_flow_key", ARCH, r"{d}/a\.yaml: line \d+, column \d+: duplicate key 'cols' \(first at line \d+\)",
         {"a.yaml": FAT + "extra: {cols: 1, cols: 2}\n"}),
    Case("arch_inf_area", ARCH, r"{d}/a\.yaml: key 'subarray\.cell\.area_um2' = inf: Input should be a finite number",
         {"a.yaml": FAT.replace("area_um2: 0.0729", "area_um2: .inf")}, before="accepted (exit 0, area inf)"),
    Case("arch_nan_energy", ARCH, r"{d}/a\.yaml: key 'sense_amp\.micro_ops\[0\]\.energy_pj' = nan: Input should be a finite number",
         {"a.yaml": FAT.replace("energy_pj: 0.16", "energy_pj: .nan", 1)}, before="accepted (energies nan)"),
    Case("arch_negative_inf_clock", ARCH, r"{d}/a\.yaml: key 'clock_mhz' = -inf: Input should be a finite number",
         {"a.yaml": FAT.replace("clock_mhz: 500.0", "clock_mhz: -.inf")}),
    Case("arch_overflowing_float", ARCH, r"{d}/a\.yaml: key 'subarray\.peripheral_area_um2' = inf: Input should be a finite number",
         {"a.yaml": FAT.replace("peripheral_area_um2: 2000.0", "peripheral_area_um2: 1.0e+999")}),
    Case("arch_huge_banks", ARCH, r"{d}/a\.yaml: key 'banks' = 10000000000: Input should be less than or equal to 4096",
         {"a.yaml": FAT.replace("banks: 8", "banks: 10000000000")}),
    Case("arch_huge_int", ARCH, r"{d}/a\.yaml: key 'subarray\.rows' = 10+\.\.\.: Input should be less than or equal to 65536",
         {"a.yaml": FAT.replace("rows: 512", "rows: " + "1" + "0" * 80)}),
    Case("arch_float_banks", ARCH, r"{d}/a\.yaml: key 'banks' = 8\.5: Input should be a valid integer.*",
         {"a.yaml": FAT.replace("banks: 8", "banks: 8.5")}),
    Case("arch_string_banks", ARCH, r"{d}/a\.yaml: key 'banks' = '8': Input should be a valid integer",
         {"a.yaml": FAT.replace("banks: 8", "banks: '8'")}),
    Case("arch_bool_banks", ARCH, r"{d}/a\.yaml: key 'banks' = True: Input should be a valid integer",
         {"a.yaml": FAT.replace("banks: 8", "banks: yes")}),
    Case("arch_zero_banks", ARCH, r"{d}/a\.yaml: key 'banks' = 0: Input should be greater than 0",
         {"a.yaml": FAT.replace("banks: 8", "banks: 0")}),
    Case("arch_negative_cols", ARCH, r"{d}/a\.yaml: key 'subarray\.cols' = -256: Input should be greater than 0",
         {"a.yaml": FAT.replace("cols: 256", "cols: -256")}),
    Case("arch_unknown_key", ARCH, r"{d}/a\.yaml: unknown key 'bankz'", {"a.yaml": FAT + "bankz: 8\n"}),
    Case("arch_missing_key", ARCH, r"{d}/a\.yaml: missing key 'banks'", {"a.yaml": FAT.replace("banks: 8\n", "")}),
    Case("arch_unknown_family", ARCH, r"{d}/a\.yaml: key 'family' = 'quantum': expected one of .*",
         {"a.yaml": FAT.replace("family: imc", "family: quantum")}),
    Case("arch_list_document", ARCH, r"{d}/a\.yaml: expected a mapping at the top level, got a list", {"a.yaml": "- fat\n"}),
    Case("arch_scalar_document", ARCH, r"{d}/a\.yaml: expected a mapping at the top level, got an integer", {"a.yaml": "42\n"}),
    Case("arch_empty_file", ARCH, r"{d}/a\.yaml: expected a mapping at the top level, got an empty document", {"a.yaml": ""}),
    Case("arch_comment_only", ARCH, r"{d}/a\.yaml: expected a mapping at the top level, got an empty document",
         {"a.yaml": "# nothing here\n"}),
    Case("arch_tab_indent", ARCH, r"{d}/a\.yaml: malformed YAML at line \d+, column \d+: found character '\\t' that cannot start any token",
         {"a.yaml": FAT.replace("  rows: 512", "\trows: 512")}),
    Case("arch_python_tag", ARCH, r"{d}/a\.yaml: malformed YAML at line 1, column \d+: could not determine a constructor for the tag .*",
         {"a.yaml": "x: !!python/object/apply:os.system ['true']\n" + FAT}),
    Case("arch_date_key", ARCH, r"{d}/a\.yaml: line \d+, column 1: key '2024-01-01' is a date, not a string; quote it",
         {"a.yaml": FAT + "2024-01-01: new year\n"}, before="traceback (TypeError: keys must be str)"),
    Case("arch_collection_key", ARCH, r"{d}/a\.yaml: malformed YAML at line \d+, column \d+: found unhashable key",
         {"a.yaml": FAT + "? [a, b]\n: c\n"}),
    Case("arch_two_documents", ARCH, r"{d}/a\.yaml: malformed YAML at line \d+, column \d+: but found another document",
         {"a.yaml": FAT + "---\nname: second\n"}),
    Case("arch_nul_byte", ARCH, r"{d}/a\.yaml: malformed YAML at line \d+, column \d+: special characters are not allowed \(#x0000\)",
         {"a.yaml": FAT.replace("name: fat", "name: f\0at")}),
    Case("arch_too_large", ARCH, r"{d}/a\.yaml: 9 MiB is more than the 8 MiB limit of a YAML document",
         {"a.yaml": big_file(9 << 20, b"# padding\n")}),
    Case("arch_is_directory", sim("{d}/dir"), r"{d}/dir: is a directory, not a YAML document", {"dir": folder},
         before="traceback (IsADirectoryError) or 'cannot be read'"),
    Case("arch_is_fifo", sim("{d}/a.yaml"), r"{d}/a\.yaml: is a FIFO, not a YAML document", {"a.yaml": fifo},
         before="hangs forever (reads a FIFO nobody writes)"),
    Case("arch_is_dev_zero", sim("/dev/zero"), r"/dev/zero: is a character device, not a YAML document",
         before="hangs, reading without end"),
    Case("arch_missing", sim("{d}/nope.yaml"), r"{d}/nope\.yaml: file not found"),
    Case("arch_dangling_symlink", sim("{d}/a.yaml"), r"{d}/a\.yaml: file not found", {"a.yaml": symlink_to("{d}/gone.yaml")}),
    Case("arch_symlink_followed", sim("{d}/a.yaml"), files={"real.yaml": FAT, "a.yaml": symlink_to("{d}/real.yaml")},
         status=0, expect=("out.json",)),
    Case("arch_newline_in_name", sim("{d}/a\nb.yaml"), r"{d}/a\\nb\.yaml: file not found",
         before="two-line message (the file name's line break printed raw)"),
    Case("arch_nul_in_name", sim("{d}/a\0b.yaml"), r"unknown arch '{d}/a\\x00b\.yaml'.*|{d}/a\\x00b\.yaml: file not found|'{d}/a\\x00b\.yaml': not a valid file name"),
    Case("arch_unknown_preset", sim("fta"), r"unknown arch 'fta': not a packaged arch \(.*\) nor a file"),
    # -- --set overrides -----------------------------------------------------------------------
    Case("set_inf", sim("fat", "mlp", "--set", "clock_mhz=.inf"), r"preset 'fat': key 'clock_mhz' = inf: Input should be a finite number",
         before="accepted (latency 0, power nan)"),
    Case("set_nan", sim("fat", "mlp", "--set", "subarray.cell.area_um2=.nan"),
         r"preset 'fat': key 'subarray\.cell\.area_um2' = nan: Input should be a finite number"),
    Case("set_huge", sim("fat", "mlp", "--set", "banks=99999999999999999999"),
         r"preset 'fat': key 'banks' = 99999999999999999999: Input should be less than or equal to 4096"),
    Case("set_unknown_key", sim("fat", "mlp", "--set", "bankz=1"), r"preset 'fat': unknown key 'bankz'"),
    Case("set_no_equals", sim("fat", "mlp", "--set", "banks"), r"--set 'banks': expected KEY=VALUE"),
    Case("set_empty_key", sim("fat", "mlp", "--set", "=5"), r"--set '=5': empty key path"),
    Case("set_through_scalar", sim("fat", "mlp", "--set", "banks.x=1"), r"preset 'fat': --set banks\.x: 'banks' is not a mapping"),
    Case("set_list_index", sim("fat", "mlp", "--set", "sense_amp.micro_ops.9.energy_pj=1"),
         r"preset 'fat': --set sense_amp\.micro_ops\.9\.energy_pj: no list item 'sense_amp\.micro_ops\.9'"),
    Case("set_alias_bomb", sim("fat", "mlp", "--set", "description=" + flow_bomb()),
         r"--set description: line 1, column \d+: the aliases expand to more than 1,000,000 nodes", before="hangs"),
    Case("set_duplicate_key", sim("fat", "mlp", "--set", "subarray={rows: 1, rows: 2}"),
         r"--set subarray: line 1, column \d+: duplicate key 'rows' \(first at line 1\)"),
    Case("set_deep", sim("fat", "mlp", "--set", "description=" + "[" * 100 + "]" * 100),
         r"--set description: line 1, column \d+: nested more than 64 levels deep"),
    Case("set_workload_nan", sim("fat", "mlp", "--set", "workload.weight_sparsity=.nan"),
         r".*mlp\.yaml: key 'workload\.weight_sparsity' = nan: Input should be a finite number"),
    Case("set_workload_negative_seed", sim("fat", "mlp", "--set", "workload.seed=-1"),
         r".*mlp\.yaml: key 'workload\.seed' = -1: Input should be greater than or equal to 0"),
    Case("set_workload_unknown", sim("fat", "mlp", "--set", "workload.nosuch=1"), r".*mlp\.yaml: unknown key 'workload\.nosuch'"),
    Case("set_weights_file_missing", sim("fat", "mlp", "--set", "workload.weights_file={d}/w.npz"), r"{d}/w\.npz: weight file not found"),
    # -- model YAML: sizes -----------------------------------------------------------------------
    Case("model_latin1", MODEL, r"{d}/m\.yaml: not UTF-8 text: byte 0xe9 at offset \d+ \(line 2\); save the file as UTF-8",
         {"m.yaml": model().replace("name: m", "name: m\xe9").encode("latin-1")}, before="traceback (UnicodeDecodeError)"),
    Case("model_height_1e10", MODEL, r"{d}/m\.yaml: key 'input\.height' = 10000000000: Input should be less than or equal to 16384",
         {"m.yaml": model("input: {channels: 1, height: 10000000000, width: 28}")},
         before="MemoryError traceback (or minutes of allocation)"),
    Case("model_channels_huge", MODEL, r"{d}/m\.yaml: key 'input\.channels' = 1073741824: Input should be less than or equal to 1048576",
         {"m.yaml": model("input: {channels: 1073741824, height: 1, width: 1}")}),
    Case("model_batch_huge", MODEL, r"{d}/m\.yaml: key 'input\.batch' = 4294967296: Input should be less than or equal to 1048576",
         {"m.yaml": model("input: {channels: 1, height: 28, width: 28, batch: 4294967296}")}),
    Case("model_out_huge", MODEL, r"{d}/m\.yaml: key 'layers\[0\]\.out' = 10000000000: Input should be less than or equal to 1048576 \(layer 'fc1'\)",
         {"m.yaml": model(layers="  - {name: fc1, type: linear, out: 10000000000}")}),
    Case("model_kernel_huge", MODEL, r"{d}/m\.yaml: key 'layers\[0\]\.kernel' = 100000: Input should be less than or equal to 16384 \(layer 'c1'\)",
         {"m.yaml": model(layers="  - {name: c1, type: conv, out: 4, kernel: 100000}")}),
    Case("model_flattened_input_too_wide", MODEL, rf"{{d}}/m\.yaml: layer 'fc1': C = {R} exceeds the limit of 1,048,576 \(2\^20\)",
         {"m.yaml": model("input: {channels: 64, height: 16384, width: 16384}")}, before="MemoryError after allocating"),
    Case("model_layer_weights", MODEL,
         rf"{{d}}/m\.yaml: layer 'fc1': 1,099,511,627,776 weights \(1048576, 1048576, 1, 1\) exceed the limit of 268,435,456 \(2\^28\) per layer",
         {"m.yaml": model("input: {channels: 1048576, height: 1, width: 1}", "  - {name: fc1, type: linear, out: 1048576}")},
         before="MemoryError traceback"),
    Case("model_network_weights", MODEL,
         r"{d}/m\.yaml: 805,306,368 weights in all exceed the limit of 536,870,912 \(2\^29\)",
         {"m.yaml": model("input: {channels: 16384, height: 1, width: 1}",
                          "\n".join(f"  - {{name: fc{i}, type: linear, out: 16384}}" for i in range(3)))},
         before="minutes drawing 805 million weights"),
    Case("model_layer_macs", MODEL,
         rf"{{d}}/m\.yaml: layer 'c1': {R} MACs exceed the limit of 1,099,511,627,776 \(2\^40\) per layer",
         {"m.yaml": model("input: {channels: 3, height: 16384, width: 16384}", "  - {name: c1, type: conv, out: 65536, kernel: 3, pad: 1}")}),
    Case("model_duplicate_layer_name", MODEL, r"{d}/m\.yaml: layer 'fc1': the name is used twice",
         {"m.yaml": model(layers="  - {name: fc1, type: linear, out: 10}\n  - {name: fc1, type: linear, out: 10}")}),
    Case("model_duplicate_yaml_key", MODEL, r"{d}/m\.yaml: line 7, column \d+: duplicate key 'out' \(first at line 7\)",
         {"m.yaml": model(layers="  - {name: fc1, type: linear, out: 10, out: 5}")}, before="accepted: out = 5 silently"),
    Case("model_sparsity_inf", MODEL, r"{d}/m\.yaml: key 'workload\.weight_sparsity' = inf: Input should be a finite number",
         {"m.yaml": model(workload="{weight_sparsity: .inf, seed: 0}")}),
    Case("model_sparsity_nan", MODEL, r"{d}/m\.yaml: key 'workload\.weight_sparsity' = nan: Input should be a finite number",
         {"m.yaml": model(workload="{weight_sparsity: .nan, seed: 0}")}),
    Case("model_billion_laughs", MODEL, r"{d}/m\.yaml: line \d+, column \d+: the aliases expand to more than 1,000,000 nodes",
         {"m.yaml": model() + bomb()}, before="hangs"),
    Case("model_unknown_input", MODEL, r"{d}/m\.yaml: layer 'fc1': input 'nope' is not an earlier layer",
         {"m.yaml": model(layers="  - {name: fc1, type: linear, out: 10, input: nope}")}),
    Case("model_kernel_larger_than_image", MODEL, r"{d}/m\.yaml: layer 'c1': kernel 64 with stride 1 and pad 0 does not fit a 28x28 input",
         {"m.yaml": model(layers="  - {name: c1, type: conv, out: 4, kernel: 64}")}),
    Case("model_wrong_schema", MODEL, r"{d}/m\.yaml: key 'schema' = 'hwsim\.model/2': Input should be 'hwsim\.model/1'",
         {"m.yaml": model().replace("hwsim.model/1", "hwsim.model/2")}),
    Case("model_no_layers", MODEL, r"{d}/m\.yaml: key 'layers' = \(\): List should have at least 1 item after validation, not 0|{d}/m\.yaml: key 'layers': .*",
         {"m.yaml": model().split("layers:")[0] + "layers: []\n"}),
    Case("model_is_directory", sim("fat", "{d}/dir"), r"{d}/dir: is a directory, not a YAML document", {"dir": folder}),
    Case("model_is_fifo", sim("fat", "{d}/m.yaml"), r"{d}/m\.yaml: is a FIFO, not a YAML document", {"m.yaml": fifo}, before="hangs"),
    Case("model_empty", MODEL, r"{d}/m\.yaml: expected a mapping at the top level, got an empty document", {"m.yaml": ""}),
    # -- .npz weights ----------------------------------------------------------------------------
    Case("npz_pickled", MODEL, r"{d}/w\.npz: layer 'c1' weights are Python objects \(a pickle\), which hwsim never loads; save numbers",
         {"m.yaml": TINY_MODEL, "w.npz": pickled_npz}, before="traceback (ValueError: Object arrays cannot be loaded)"),
    Case("npz_empty_file", MODEL, r"{d}/w\.npz: not a readable \.npz file \(it is empty\)", {"m.yaml": TINY_MODEL, "w.npz": b""},
         before="traceback (EOFError)"),
    Case("npz_no_arrays", MODEL, r"{d}/w\.npz: no array for layer 'c1'", {"m.yaml": TINY_MODEL, "w.npz": npz()}),
    Case("npz_not_a_zip", MODEL, r"{d}/w\.npz: not a readable \.npz file \(File is not a zip file\)",
         {"m.yaml": TINY_MODEL, "w.npz": "weights: none"}),
    Case("npz_truncated", MODEL, r"{d}/w\.npz: not a readable \.npz file \(.*\)|{d}/w\.npz: layer 'c1' weights: cannot be read \(.*\)",
         {"m.yaml": TINY_MODEL, "w.npz": truncated(npz(**GOOD_WEIGHTS), 0.6)}),
    Case("npz_wrong_shape", MODEL, r"{d}/w\.npz: layer 'c1' weights have shape \(2, 2, 3, 3\), the layer needs \(2, 1, 3, 3\)",
         {"m.yaml": TINY_MODEL, "w.npz": npz(c1=np.ones((2, 2, 3, 3), np.int8), fc=GOOD_WEIGHTS["fc"])}),
    Case("npz_complex", MODEL, r"{d}/w\.npz: layer 'c1' weights are complex128, expected integers or unsigned integers or floats",
         {"m.yaml": TINY_MODEL, "w.npz": npz(c1=np.ones((2, 1, 3, 3), complex), fc=GOOD_WEIGHTS["fc"])}),
    Case("npz_strings", MODEL, r"{d}/w\.npz: layer 'c1' weights are <U1, expected integers or unsigned integers or floats",
         {"m.yaml": TINY_MODEL, "w.npz": npz(c1=np.full((2, 1, 3, 3), "a"), fc=GOOD_WEIGHTS["fc"])}),
    Case("npz_zip_bomb_header", MODEL, r"{d}/w\.npz: layer 'c1' weights have shape \(100000, 100000, 3, 3\), the layer needs \(2, 1, 3, 3\)",
         {"m.yaml": TINY_MODEL, "w.npz": npy_header_only("c1", (100000, 100000, 3, 3))},
         before="allocates the announced 90 GB array before any check"),
    Case("npz_short_member", MODEL, r"{d}/w\.npz: layer 'c1' weights: cannot be read \(.*\)",
         {"m.yaml": TINY_MODEL, "w.npz": npy_header_only("c1", (2, 1, 3, 3), data=b"\1\1\1")}),
    Case("npz_nan_weight", MODEL, r"{d}/w\.npz: layer 'c1' holds value nan, not a ternary weight",
         {"m.yaml": TINY_MODEL, "w.npz": npz(c1=np.full((2, 1, 3, 3), np.nan), fc=GOOD_WEIGHTS["fc"])}),
    Case("npz_ternary_out_of_range", MODEL, r"{d}/w\.npz: layer 'c1' holds value 2, not a ternary weight",
         {"m.yaml": TINY_MODEL, "w.npz": npz(c1=np.full((2, 1, 3, 3), 2, np.int8), fc=GOOD_WEIGHTS["fc"])}),
    Case("npz_int_inf", MODEL, r"{d}/w\.npz: layer 'c1' holds value inf, not a int8 weight",
         {"m.yaml": TINY_MODEL.replace("weights: ternary", "weights: int, weight_bits: 8"),
          "w.npz": npz(c1=np.full((2, 1, 3, 3), np.inf), fc=GOOD_WEIGHTS["fc"])}),
    Case("npz_is_directory", MODEL, r"{d}/w\.npz: is a directory, not a weights \.npz file", {"m.yaml": TINY_MODEL, "w.npz": folder}),
    Case("npz_is_fifo", MODEL, r"{d}/w\.npz: is a FIFO, not a weights \.npz file", {"m.yaml": TINY_MODEL, "w.npz": fifo},
         before="hangs"),
    Case("npz_accepted", MODEL, files={"m.yaml": TINY_MODEL, "w.npz": npz(**GOOD_WEIGHTS)}, status=0, expect=("out.json",)),
    Case("npz_2d_linear_accepted", MODEL, files={"m.yaml": TINY_MODEL, "w.npz": npz(c1=GOOD_WEIGHTS["c1"], fc=np.zeros((3, 32)))},
         status=0, expect=("out.json",)),
    # -- spiking models --------------------------------------------------------------------------
    Case("snn_npz_pickled", SNN_CMD, r"{d}/snn\.npz: layer 'fc1': weights are Python objects \(a pickle\), which hwsim never loads; save numbers",
         {"snn.yaml": SNN, "snn.npz": lambda p: pickled_npz(p) or _rename_member(p, "c1", "fc1")},
         before="traceback (ValueError: Object arrays cannot be loaded)"),
    Case("snn_npz_floats", SNN_CMD, r"{d}/snn\.npz: layer 'fc1': weights are float64, expected integers or unsigned integers",
         {"snn.yaml": SNN, "snn.npz": npz(fc1=np.zeros((128, 64)), out=np.zeros((10, 128), np.int8))}),
    Case("snn_npz_missing_layer", SNN_CMD, r"{d}/snn\.npz: no array 'out' for layer 'out'",
         {"snn.yaml": SNN, "snn.npz": npz(fc1=np.zeros((128, 64), np.int8))}),
    Case("snn_npz_wrong_size", SNN_CMD, r"{d}/snn\.npz: layer 'fc1': weights have shape \(128, 63\) \(8,064 values\), the layer needs 8,192",
         {"snn.yaml": SNN, "snn.npz": npz(fc1=np.zeros((128, 63), np.int8), out=np.zeros((10, 128), np.int8))}),
    Case("snn_npz_empty", SNN_CMD, r"{d}/snn\.npz: not a readable \.npz file \(it is empty\)", {"snn.yaml": SNN, "snn.npz": b""},
         before="traceback"),
    Case("snn_npz_thresholds_for_no_layer", SNN_CMD, r"{d}/snn\.npz: per-neuron thresholds for 'ghost', which is not a layer",
         {"snn.yaml": SNN, "snn.npz": npz(fc1=np.zeros((128, 64), np.int8), out=np.zeros((10, 128), np.int8),
                                           **{"ghost.threshold_lsb": np.ones(3, np.int64)})}),
    Case("snn_time_steps_sample_limit", SNN_CMD + ("--set", "workload.time_steps=1048576"),
         r"{d}/snn\.yaml: 539 samples x workload\.time_steps = 1,048,576 is 565,182,464 sample-steps, more than the limit of 8,388,608 \(2\^23\) \(set workload\.samples\)",
         {"snn.yaml": SNN, **SNN_FILES}, before="runs for hours, 6 GB and growing"),
    Case("snn_time_steps_over_limit", SNN_CMD + ("--set", "workload.time_steps=2097152"),
         r"{d}/snn\.yaml: key 'workload\.time_steps' = 2097152: Input should be less than or equal to 1048576",
         {"snn.yaml": SNN, **SNN_FILES}),
    Case("snn_out_huge", SNN_CMD, r"{d}/snn\.yaml: key 'layers\[0\]\.out' = 2097152: Input should be less than or equal to 1048576 \(layer 'fc1'\)",
         {"snn.yaml": SNN.replace("type: fc, out: 128", "type: fc, out: 2097152"), **SNN_FILES}),
    Case("snn_latin1", SNN_CMD, r"{d}/snn\.yaml: not UTF-8 text: byte 0xe9 at offset \d+ \(line \d+\); save the file as UTF-8",
         {"snn.yaml": SNN.replace("name: snn-digits", "name: snn-digits-\xe9").encode("latin-1"), **SNN_FILES}),
    Case("snn_weights_fifo", SNN_CMD, r"{d}/snn\.npz: is a FIFO, not a weights \.npz file", {"snn.yaml": SNN, "snn.npz": fifo},
         before="hangs"),
    Case("snn_idx_not_idx", SNN_CMD, r"{d}/img\.idx: not an IDX file \(it does not start with two zero bytes\)",
         {"snn.yaml": SNN.replace("{name: sklearn_digits, split: test}", "{name: mnist_idx, images: img.idx, labels: lab.idx}"),
          "img.idx": b"GIF89a", "lab.idx": idx((1,), b"\1"), **SNN_FILES}),
    Case("snn_idx_header_overflow", SNN_CMD,
         r"{d}/img\.idx: the header announces 4294967295x4294967295x4294967295 values, the file holds 0",
         {"snn.yaml": SNN.replace("{name: sklearn_digits, split: test}", "{name: mnist_idx, images: img.idx, labels: lab.idx}"),
          "img.idx": idx((2 ** 32 - 1,) * 3), "lab.idx": idx((1,), b"\1"), **SNN_FILES},
         before="int64 overflow of the announced size"),
    Case("snn_idx_gzip_garbage", SNN_CMD, r"{d}/img\.idx\.gz: cannot be read as gzip \(.*\)",
         {"snn.yaml": SNN.replace("{name: sklearn_digits, split: test}", "{name: mnist_idx, images: img.idx.gz, labels: lab.idx}"),
          "img.idx.gz": gzip.compress(idx((1, 8, 8), bytes(64)))[:20], "lab.idx": idx((1,), b"\1"), **SNN_FILES}),
    # -- Transformer models ----------------------------------------------------------------------
    Case("tf_num_sequences_huge", TF_CMD + ("--set", "workload.num_sequences=10000000"),
         r"{d}/tf\.yaml: key 'workload\.num_sequences' = 10000000: Input should be less than or equal to 1048576",
         {"tf.yaml": ENCODER}, before="minutes of simulation (gpu-v100: 2 min; sparse-attn-fpga: GBs)"),
    Case("tf_pipeline_jobs", TF_CMD + ("--set", "workload.num_sequences=1048576"),
         r"model 'tiny-encoder': 1,048,576 sequences x 4 block passes = 4,194,304 pipeline jobs, more than the limit of 4,194,304 \(2\^22\).*|"
         r"model 'tiny-encoder': 1,048,576 sequences x \d+ block passes = [\d,]+ pipeline jobs, more than the limit of 4,194,304 \(2\^22\); simulate fewer sequences \(workload\.num_sequences\)",
         {"tf.yaml": ENCODER.replace("encoder_layers: 2", "encoder_layers: 8")}),
    Case("tf_seq_csv_latin1", TF_CMD, r"{d}/l\.csv: not UTF-8 text: byte 0xe9 at offset 2 \(line 1\); save the file as UTF-8",
         {"tf.yaml": ENCODER.replace("{distribution: normal, mean: 40, std: 20, min: 4, max: 128}", "l.csv"),
          "l.csv": b"# \xe9t\xe9\nlength\n10\n"}, before="traceback (UnicodeDecodeError)"),
    Case("tf_seq_csv_directory", TF_CMD, r"{d}/tf\.yaml: workload\.seq_lengths = 'l\.csv': file not found \(tried the working directory and {d}\)",
         {"tf.yaml": ENCODER.replace("{distribution: normal, mean: 40, std: 20, min: 4, max: 128}", "l.csv"), "l.csv": folder}),
    Case("tf_seq_mean_inf", TF_CMD, r"{d}/tf\.yaml: workload\.seq_lengths\.mean = inf: expected a finite number of at most 1e\+?12",
         {"tf.yaml": ENCODER.replace("mean: 40", "mean: .inf")}, before="accepted: every length clipped to max"),
    Case("tf_seq_max_inf", TF_CMD, r"{d}/tf\.yaml: workload\.seq_lengths\.max = inf: expected a finite number of at most 1e\+?12",
         {"tf.yaml": ENCODER.replace("max: 128}", "max: .inf}")}, before="traceback (OverflowError)"),
    Case("tf_seq_list_float", TF_CMD, r"{d}/tf\.yaml: workload\.seq_lengths\[1\] = 2\.5: expected an integer length",
         {"tf.yaml": ENCODER.replace("{distribution: normal, mean: 40, std: 20, min: 4, max: 128}", "[1, 2.5]")}),
    Case("tf_d_model_huge", TF_CMD, r"{d}/tf\.yaml: key 'model\.d_model' = 1000000000: Input should be less than or equal to 65536",
         {"tf.yaml": ENCODER.replace("d_model: 128", "d_model: 1000000000")}),
    Case("tf_billion_laughs", TF_CMD, r"{d}/tf\.yaml: line \d+, column \d+: the aliases expand to more than 1,000,000 nodes",
         {"tf.yaml": ENCODER + bomb()}, before="hangs"),
    Case("tf_duplicate_key", TF_CMD, r"{d}/tf\.yaml: line \d+, column \d+: duplicate key 'heads' \(first at line \d+\)",
         {"tf.yaml": ENCODER.replace("heads: 4,", "heads: 4, heads: 8,")}),
    # -- SCALE-Sim topology CSV ----------------------------------------------------------------
    Case("csv_latin1", TOPO, r"{d}/t\.csv: not UTF-8 text: byte 0xe9 at offset \d+ \(line 2\); save the file as UTF-8",
         {"t.csv": (CSV_HEAD + "conv\xe9, 8, 8, 3, 3, 1, 4, 1,\n").encode("latin-1")}, before="traceback (UnicodeDecodeError)"),
    Case("csv_huge_dim", TOPO, r"{d}/t\.csv: row 2 \(layer 'c1'\): IFMAP Height = 1000000000000: exceeds the limit of 1,048,576 \(2\^20\)",
         {"t.csv": CSV_HEAD + "c1, 1000000000000, 8, 3, 3, 1, 4, 1,\n"}, before="MemoryError traceback or hang"),
    Case("csv_gemm_rows_over_limit", TOPO, r"{d}/t\.csv: row 2 \(layer 'g1'\): M = 20000000: exceeds the limit of 16,777,216 \(2\^24\)",
         {"t.csv": "Layer, M, N, K,\ng1, 20000000, 64, 9,\n"}),
    Case("csv_gemm_unet_rows_accepted", TOPO, files={"t.csv": "Layer, M, N, K,\nConv1a, 4186116, 64, 9,\n"}, status=0,
         expect=("out.json",)),
    Case("csv_depthwise_million", TOPO,
         r"{d}/t\.csv: row 2 \(layer 'DP1'\): a depthwise layer of 1,000,000 channels is 1,000,000 layers, more than the limit of 100,000",
         {"t.csv": CSV_HEAD + "DP1, 8, 8, 3, 3, 1000000, 1, 1,\n"}, before="minutes building a million layers"),
    Case("csv_huge_macs", TOPO, rf"{{d}}/t\.csv: layer 'c1': {R} MACs exceed the limit of 1,099,511,627,776 \(2\^40\) per layer",
         {"t.csv": CSV_HEAD + "c1, 16384, 16384, 3, 3, 16, 4096, 1,\n"}),
    Case("csv_replay_too_big", sim("{d}/c.cfg", "{d}/t.csv"),
         r"layer 'c1': SCALE-Sim's buffer replay would hold 603,393,480 array lines, more than the limit of 134,217,728 \(2\^27\); use --set buffer_model=analytic \(the fold model's closed forms\)",
         {"c.cfg": CFG, "t.csv": CSV_HEAD + "c1, 4096, 4096, 3, 3, 64, 64, 1,\n"}, before="70 s and 9.5 GB, then MemoryError"),
    Case("csv_empty", TOPO, r"{d}/t\.csv: empty topology file", {"t.csv": ""}),
    Case("csv_no_header", TOPO, r"{d}/t\.csv: row 1: missing header: 'c1' holds numbers .*", {"t.csv": "c1, 8, 8, 3, 3, 1, 4, 1,\n"}),
    Case("csv_negative", TOPO, r"{d}/t\.csv: row 2 \(layer 'c1'\): Strides = '-1': expected a positive integer",
         {"t.csv": CSV_HEAD + "c1, 8, 8, 3, 3, 1, 4, -1,\n"}),
    Case("csv_float", TOPO, r"{d}/t\.csv: row 2 \(layer 'c1'\): Channels = '1\.5': expected a positive integer",
         {"t.csv": CSV_HEAD + "c1, 8, 8, 3, 3, 1.5, 4, 1,\n"}),
    Case("csv_nul", TOPO, r"{d}/t\.csv: row 2 \(layer 'c1'\): Channels = '\\x00': expected a positive integer",
         {"t.csv": CSV_HEAD + "c1, 8, 8, 3, 3, \0, 4, 1,\n"}),
    Case("csv_is_fifo", sim("systolic-32x32-ws", "{d}/t.csv"), r"{d}/t\.csv: is a FIFO, not a topology CSV", {"t.csv": fifo},
         before="hangs"),
    Case("csv_too_large", TOPO, r"{d}/t\.csv: 65 MiB is more than the 64 MiB limit of a topology CSV",
         {"t.csv": big_file(65 << 20, CSV_HEAD.encode())}),
    # -- SCALE-Sim .cfg --------------------------------------------------------------------------
    Case("cfg_latin1", CFG_CMD, r"{d}/c\.cfg: not UTF-8 text: byte 0xe9 at offset \d+ \(line \d+\); save the file as UTF-8",
         {"c.cfg": CFG.replace("run_name = scalesim_32x32_ws", "run_name = \xe9").encode("latin-1")},
         before="traceback (UnicodeDecodeError)"),
    Case("cfg_duplicate_option", CFG_CMD, r"{d}/c\.cfg: malformed \.cfg: While reading from '{d}/c\.cfg' \[line +\d+\]: option 'arrayheight' in section 'architecture_presets' already exists",
         {"c.cfg": CFG.replace("ArrayWidth:     32", "ArrayWidth:     32\nArrayHeight: 64")}),
    Case("cfg_duplicate_section", CFG_CMD, r"{d}/c\.cfg: malformed \.cfg: While reading from '{d}/c\.cfg' \[line +\d+\]: section 'general' already exists",
         {"c.cfg": CFG + "\n[general]\nrun_name = again\n"}),
    Case("cfg_huge_array", CFG_CMD, r"{d}/c\.cfg: key 'array\.rows' = 100000000: Input should be less than or equal to 16384",
         {"c.cfg": CFG.replace("ArrayHeight:    32", "ArrayHeight:    100000000")}),
    Case("cfg_negative", CFG_CMD, r"{d}/c\.cfg: \[architecture_presets\] ArrayWidth = '-32': expected a positive integer",
         {"c.cfg": CFG.replace("ArrayWidth:     32", "ArrayWidth:     -32")}),
    Case("cfg_unknown_key", CFG_CMD, r"{d}/c\.cfg: \[architecture_presets\] unknown key 'turbo'", {"c.cfg": CFG.replace("Dataflow : ws", "Dataflow : ws\nTurbo: 1")}),
    Case("cfg_no_section", CFG_CMD, r"{d}/c\.cfg: line 1: 'ArrayHeight: 32' comes before any \[section\] header", {"c.cfg": "ArrayHeight: 32\n"}),
    Case("cfg_directory", sim("{d}/c.cfg"), r"{d}/c\.cfg: is a directory, not a SCALE-Sim \.cfg file", {"c.cfg": folder}),
    Case("cfg_fifo", sim("{d}/c.cfg"), r"{d}/c\.cfg: is a FIFO, not a SCALE-Sim \.cfg file", {"c.cfg": fifo}, before="hangs"),
    # -- mapping files ---------------------------------------------------------------------------
    Case("map_latin1", MAP_CMD, r"{d}/map\.yaml: not UTF-8 text: byte 0xe9 at offset \d+ \(line \d+\); save the file as UTF-8",
         {"map.yaml": MAPPING.replace("model: mlp", "model: ml\xe9").encode("latin-1")}, before="traceback (UnicodeDecodeError)"),
    Case("map_billion_laughs", MAP_CMD, r"{d}/map\.yaml: line \d+, column \d+: the aliases expand to more than 1,000,000 nodes",
         {"map.yaml": MAPPING + bomb()}, before="hangs"),
    Case("map_duplicate_key", MAP_CMD, r"{d}/map\.yaml: line \d+, column \d+: duplicate key 'K' \(first at line \d+\)",
         {"map.yaml": MAPPING.replace("{K: 4}", "{K: 4, K: 1}")}, before="accepted: the last wins"),
    Case("map_huge_loop", MAP_CMD, r"{d}/map\.yaml: layer 'fc1': K factors multiply to \d+ \(spatial 32 x .* x dram 1000000000000\), the layer has K = 256",
         {"map.yaml": MAPPING.replace("{K: 4}", "{K: 1000000000000}")}),
    Case("map_inf_latency", MAP_CMD, r"{d}/map\.yaml: key 'layers\[0\]\.latency_cycles' = inf: Input should be a finite number \(layer 'fc1'\)",
         {"map.yaml": MAPPING + "    latency_cycles: .inf\n"}),
    Case("map_wrong_schema", MAP_CMD, r"{d}/map\.yaml: key 'schema' = 'hwsim\.mapping/9': expected 'hwsim\.mapping/1'",
         {"map.yaml": MAPPING.replace("mapping/1", "mapping/9")}),
    Case("map_list_document", MAP_CMD, r"{d}/map\.yaml: expected a mapping at the top level, got a list", {"map.yaml": "- a\n"}),
    Case("map_directory", MAP_CMD, r"{d}/map\.yaml: is a directory, not a YAML document", {"map.yaml": folder}),
    Case("map_negative_spatial", MAP_CMD, r"{d}/map\.yaml: layer 'fc1': spatial K = -32 must be a positive integer",
         {"map.yaml": MAPPING.replace("spatial: {K: 32", "spatial: {K: -32")}),
    # -- sweeps ----------------------------------------------------------------------------------
    Case("sweep_latin1", SWEEP_CMD, r"{d}/s\.yaml: not UTF-8 text: byte 0xe9 at offset \d+ \(line 2\); save the file as UTF-8",
         {"s.yaml": SWEEP.replace("name: s", "name: \xe9").encode("latin-1")}, before="traceback (UnicodeDecodeError)"),
    Case("sweep_billion_laughs", SWEEP_CMD, r"{d}/s\.yaml: line \d+, column \d+: the aliases expand to more than 1,000,000 nodes",
         {"s.yaml": SWEEP + bomb()}, before="hangs"),
    Case("sweep_duplicate_key", SWEEP_CMD, r"{d}/s\.yaml: line 3, column 1: duplicate key 'name' \(first at line 2\)",
         {"s.yaml": SWEEP.replace("name: s\n", "name: s\nname: t\n")}),
    Case("sweep_workers_zero", SWEEP_CMD + ("--workers", "0"), r"--workers must be at least 1, got 0", {"s.yaml": SWEEP},
         before="exit 2, but the store r.db was created first"),
    Case("sweep_workers_negative", SWEEP_CMD + ("--workers", "-3"), r"--workers must be at least 1, got -3", {"s.yaml": SWEEP},
         before="exit 2, store created first"),
    Case("sweep_chunk_zero", SWEEP_CMD + ("--chunk", "0"), r"--chunk must be at least 1, got 0", {"s.yaml": SWEEP}),
    Case("sweep_scheduler_without_dask", SWEEP_CMD + ("--scheduler", "tcp://x:1"), r"--scheduler is only used with --executor dask",
         {"s.yaml": SWEEP}, before="exit 2, store created first"),
    Case("sweep_grid_too_big", SWEEP_CMD, r"sweep 's': designs\[0\] \(fat\) has 100,000,000 grid points per model, more than 1,000,000; use 'samples' or coarser ranges",
         {"s.yaml": SWEEP.replace("{banks: [4, 8]}", "{" + ", ".join(f"p{i}: {{range: {{start: 1, stop: 100, step: 1}}}}" for i in range(4)) + "}")},
         before="expands 100 million points (minutes, GBs)"),
    Case("sweep_range_too_fine", SWEEP_CMD, r"{d}/s\.yaml: key 'designs\[0\]\.parameters\.banks\.range': the range has more than 1,000,000 values \(step 1e-07\)",
         {"s.yaml": SWEEP.replace("{banks: [4, 8]}", "{banks: {range: {start: 1, stop: 2, step: 0.0000001}}}")}),
    Case("sweep_samples_too_many", SWEEP_CMD, r"{d}/s\.yaml: key 'designs\[0\]\.samples' = 2000000: Input should be less than or equal to 1000000",
         {"s.yaml": SWEEP.replace("    parameters:", "    samples: 2000000\n    parameters:")}),
    Case("sweep_inf_value", SWEEP_CMD, r"{d}/s\.yaml: key 'designs\[0\]\.parameters\.banks': the value inf is not a finite number",
         {"s.yaml": SWEEP.replace("[4, 8]", "[4, .inf]")}),
    Case("sweep_inf_range", SWEEP_CMD, r"{d}/s\.yaml: key 'designs\[0\]\.parameters\.clock_mhz\.range\.start' = -inf: Input should be a finite number",
         {"s.yaml": SWEEP.replace("{banks: [4, 8]}", "{clock_mhz: {range: {start: -.inf, stop: 2, step: 1}}}")}),
    Case("sweep_nan_constraint", SWEEP_CMD, r"{d}/s\.yaml: key 'constraints\[0\]\.value' = nan: Input should be a finite number",
         {"s.yaml": SWEEP + "constraints: ['area <= nan']\n"}),
    Case("sweep_out_is_directory", ("sweep", "{d}/s.yaml", "--out", "{d}/dir", "--no-progress"), r"{d}/dir: is a directory, not a results store",
         {"s.yaml": SWEEP, "dir": folder}),
    Case("sweep_out_is_device", ("sweep", "{d}/s.yaml", "--out", "/dev/null", "--no-progress"),
         r"/dev/null: is a character device, not a results store", {"s.yaml": SWEEP}),
    Case("sweep_out_is_text", SWEEP_CMD + ("--resume",), r"{d}/r\.db: not a hwsim results store \(file is not a database\)",
         {"s.yaml": SWEEP, "r.db": "not sqlite\n" * 100}),
    Case("sweep_unknown_arch", SWEEP_CMD, r"unknown arch 'nosuch': not a packaged arch \(.*\) nor a file",
         {"s.yaml": SWEEP.replace("arch: fat", "arch: nosuch")}),
    Case("sweep_bad_first_point", SWEEP_CMD, r"designs\[0\] \(fat\).*banks.*|.*key 'banks' = 0: Input should be greater than 0.*",
         {"s.yaml": SWEEP.replace("[4, 8]", "[0, 8]")}),
    Case("sweep_retry_without_resume", SWEEP_CMD + ("--retry-errors",), r"--retry-errors needs --resume", {"s.yaml": SWEEP}),
    Case("sweep_no_out", ("sweep", "{d}/s.yaml"), r"sweep needs --out PATH \(the results store\), or --dry-run", {"s.yaml": SWEEP}),
    Case("sweep_is_fifo", ("sweep", "{d}/s.yaml", "--dry-run"), r"{d}/s\.yaml: is a FIFO, not a YAML document", {"s.yaml": fifo},
         before="hangs"),
    Case("sweep_model_missing", SWEEP_CMD, r"{d}/nope\.yaml: file not found", {"s.yaml": SWEEP.replace("models: mlp", "models: {d}/nope.yaml")}),
    # -- export, pareto, report ------------------------------------------------------------------
    Case("export_empty_store", EXPORT, r"{d}/r\.db: the results store holds no design points; nothing to export",
         {"r.db": result_store(0)}, before="exit 0, a header-only CSV written"),
    Case("export_missing_store", EXPORT, r"{d}/r\.db: results store not found"),
    Case("export_text_store", EXPORT, r"{d}/r\.db: not a hwsim results store \(file is not a database\)", {"r.db": "hello\n" * 200}),
    Case("export_to_directory", ("export", "{d}/r.db", "--csv", "{d}/dir"), r"{d}/dir: is a directory, not a file hwsim may replace",
         {"r.db": result_store(1), "dir": folder}),
    Case("export_to_dev_full", ("export", "{d}/r.db", "--csv", "/dev/full"), r"/dev/full: is a character device, not a file hwsim may replace",
         {"r.db": result_store(1)}, before="exit 0, nothing written (as root: /dev/full replaced by a regular file)"),
    Case("export_csv_and_unwritable_parquet", ("export", "{d}/r.db", "--csv", "{d}/r.csv", "--parquet", "/proc/hwsim/r.parquet"),
         r"/proc/hwsim: cannot create the folder \(No such file or directory\)", {"r.db": result_store(1)},
         before="exit 2, but r.csv left behind"),
    Case("export_same_file_twice", ("export", "{d}/r.db", "--csv", "{d}/x", "--parquet", "{d}/x"),
         r"{d}/x: named for two outputs of one command", {"r.db": result_store(1)}),
    Case("export_accepted", ("export", "{d}/r.db", "--csv", "{d}/r.csv", "--parquet", "{d}/r.parquet"),
         files={"r.db": result_store(2)}, status=0, expect=("r.csv", "r.parquet")),
    Case("pareto_missing_store", ("pareto", "{d}/r.db"), r"{d}/r\.db: results store not found"),
    Case("pareto_png_is_device", ("pareto", "{d}/r.db", "--png", "/dev/null"), r"/dev/null: is a character device, not a file hwsim may replace",
         {"r.db": result_store(1)}),
    Case("report_latin1", REPORT_CMD, r"{d}/r\.json: not UTF-8 text: byte 0xe9 at offset 12 \(line 1\); save the file as UTF-8",
         {"r.json": b'{"schema": "\xe9"}'}, before="traceback (UnicodeDecodeError)"),
    Case("report_deep_json", REPORT_CMD, r"{d}/r\.json: JSON nested too deeply to be a report", {"r.json": "[" * 200000 + "]" * 200000},
         before="traceback (RecursionError)"),
    Case("report_not_json", REPORT_CMD, r"{d}/r\.json: not JSON \(line 1: Expecting value\)", {"r.json": "hello"}),
    Case("report_wrong_schema", REPORT_CMD, r"{d}/r\.json: expected a 'hwsim\.report/1' report \(hwsim simulate --json\), got schema 'x'",
         {"r.json": '{"schema": "x"}'}),
    Case("report_is_directory", REPORT_CMD, r"{d}/r\.json: is a directory, not a report JSON", {"r.json": folder},
         before="traceback (IsADirectoryError)"),
    Case("report_is_fifo", REPORT_CMD, r"{d}/r\.json: is a FIFO, not a report JSON", {"r.json": fifo}, before="hangs"),
    Case("report_html_is_device", ("report", "{d}/r.json", "--html", "/dev/full"),
         r"/dev/full: is a character device, not a file hwsim may replace", {"r.json": '{"schema": "x"}'}),
    Case("report_point_missing_store", ("report", "{d}/r.db", "--point", "ab", "--html", "{d}/r.html"), r"{d}/r\.db: results store not found"),
    # -- outputs ---------------------------------------------------------------------------------
    Case("out_json_dev_full", sim("fat", "mlp")[:-1] + ("/dev/full",), r"/dev/full: is a character device, not a file hwsim may replace",
         before="exit 0 although nothing was written (as root: /dev/full replaced by a regular file)"),
    Case("out_csv_dev_null", sim("fat", "mlp", "--csv", "/dev/null"), r"/dev/null: is a character device, not a file hwsim may replace",
         before="as root: /dev/null replaced by a regular file"),
    Case("out_json_directory", sim("fat", "mlp")[:-1] + ("{d}/dir",), r"{d}/dir: is a directory, not a file hwsim may replace",
         {"dir": folder}, before="renamed over an empty directory: exit 0, directory gone"),
    Case("out_plot_fifo", sim("fat", "mlp", "--plot", "{d}/p.png"), r"{d}/p\.png: is a FIFO, not a file hwsim may replace",
         {"p.png": fifo}, before="FIFO replaced by a regular file"),
    Case("out_dangling_symlink", sim("fat", "mlp", "--csv", "{d}/r.csv"),
         r"{d}/r\.csv: is a symlink to {d}/gone/x\.csv, which does not exist; hwsim follows symlinks to existing files only",
         {"r.csv": symlink_to("{d}/gone/x.csv")}, before="the symlink replaced by a regular file"),
    Case("out_symlink_to_device", sim("fat", "mlp", "--csv", "{d}/r.csv"),
         r"{d}/r\.csv: is a symlink to a character device \(/dev/null\), not a file hwsim may replace",
         {"r.csv": symlink_to("/dev/null")}),
    Case("out_symlink_to_file_followed", sim("fat", "mlp", "--csv", "{d}/r.csv"), status=0,
         files={"real.csv": "old\n", "r.csv": symlink_to("{d}/real.csv")}, expect=("out.json", "r.csv", "real.csv")),
    Case("out_same_path_twice", sim("fat", "mlp", "--csv", "{d}/out.json"), r"{d}/out\.json: named for two outputs of one command",
         before="exit 0, the CSV silently overwrote the JSON"),
    Case("out_parent_is_file", sim("fat", "mlp", "--csv", "{d}/f.txt/r.csv"),
         r"{d}/f\.txt: is not a folder, so {d}/f\.txt cannot be created in it|{d}/f\.txt: cannot create the folder .*|{d}/f\.txt/r\.csv: cannot write .*",
         {"f.txt": "x"}),
    Case("out_proc", sim("fat", "mlp")[:-1] + ("/proc/hwsim/r.json",), r"/proc/hwsim: cannot create the folder \(No such file or directory\)"),
    Case("out_plot_fails_after_json_and_csv", sim("fat", "mlp", "--csv", "{d}/r.csv", "--plot", "/proc/hwsim/p.png"),
         r"/proc/hwsim: cannot create the folder \(No such file or directory\)",
         before="exit 2, but out.json and r.csv left behind as if the run had succeeded"),
    Case("out_old_result_kept_when_plot_fails", sim("fat", "mlp", "--plot", "/proc/hwsim/p.png"),
         r"/proc/hwsim: cannot create the folder \(No such file or directory\)", {"out.json": '{"old": true}\n'},
         before="out.json overwritten, then exit 2"),
    Case("compare_json_dev_full", ("compare", "--model", "mlp", "--arch", "fat", "--arch", "parapim", "--quiet", "--json", "/dev/full"),
         r"/dev/full: is a character device, not a file hwsim may replace", before="exit 0, nothing written"),
    Case("map_out_and_unwritable_json", ("map", "--model", "mlp", "--arch", "systolic-32x32-ws", "--budget", "200", "--quiet",
                                         "--out", "{d}/m.yaml", "--json", "/proc/hwsim/m.json"),
         r"/proc/hwsim: cannot create the folder \(No such file or directory\)", before="exit 2, m.yaml left behind"),
    Case("map_out_for_a_scheduling_family", ("map", "--model", "tiny-encoder", "--arch", "sparse-attn-fpga", "--quiet", "--out", "{d}/m.yaml"),
         r"--out {d}/m\.yaml: arch 'sparse-attn-fpga' \(attention\) schedules its layers itself: there is no mapping file to write"),
    Case("map_json_dev_full", ("map", "--model", "mlp", "--arch", "fat", "--quiet", "--json", "/dev/full"),
         r"/dev/full: is a character device, not a file hwsim may replace", before="exit 0, nothing written"),
    Case("rtl_generate_proc", ("rtl", "generate", "ternary_adder", "--out", "/proc/gen"),
         r"/proc/gen: cannot create the folder \(No such file or directory\)", before="traceback (FileNotFoundError)"),
    Case("rtl_generate_out_is_file", ("rtl", "generate", "ternary_adder", "--out", "{d}/f.txt"),
         r"{d}/f\.txt: is not a directory \(--out names the folder for ternary_adder\.v and \.json\)", {"f.txt": "x"},
         before="traceback (NotADirectoryError)"),
    Case("rtl_area_json_dev_full", ("rtl", "area", "ternary_adder", "--json", "/dev/full"),
         r"/dev/full: is a character device, not a file hwsim may replace"),
    # -- command line ----------------------------------------------------------------------------
    Case("cli_verbose_after_command", sim("fat", "mlp", "-v"), status=0, expect=("out.json",),
         before="usage error: -v accepted only before the command"),
    Case("cli_missing_arch", ("simulate", "--model", "mlp"),
         r"^hwsim simulate: error: the following arguments are required: --arch \(see hwsim simulate --help\)$",
         before="usage text and error on two lines"),
    Case("cli_unknown_command", ("simulte",), r"^hwsim: error: argument COMMAND: invalid choice: 'simulte' .*\(see hwsim --help\)$"),
    Case("cli_bad_int", ("map", "--model", "mlp", "--arch", "fat", "--budget", "lots"),
         r"^hwsim map: error: argument --budget: invalid int value: 'lots' \(see hwsim map --help\)$"),
    Case("cli_map_workers_zero", ("map", "--model", "mlp", "--arch", "fat", "--workers", "0"),
         r"--workers = 0: must be a positive number of processes"),
    Case("cli_map_budget_negative", ("map", "--model", "mlp", "--arch", "fat", "--budget", "-5"),
         r"--budget = -5: must be a positive number of evaluations"),
    Case("cli_compare_one_arch", ("compare", "--model", "mlp", "--arch", "fat"), r"compare needs exactly two --arch options, got 1"),
    Case("cli_rtl_unknown_param", ("rtl", "generate", "ternary_adder", "--out", "{d}/g", "--param", "nosuch=1"),
         r"--param 'nosuch' is not a parameter of ternary_adder; known: .*"),
    Case("cli_rtl_param_no_equals", ("rtl", "generate", "ternary_adder", "--out", "{d}/g", "--param", "width"),
         r"--param 'width' is not of the form key=value"),
    Case("cli_rtl_transactions_zero", ("rtl", "test", "ternary_adder", "--transactions", "0"), r"--transactions must be at least 1, got 0"),
    Case("cli_stdout_full", ("list", "archs"), r"cannot write to standard output \(No space left on device\)", subprocess=True,
         before="exit 120 with 'Exception ignored ... OSError' from the interpreter"),
    # -- ONNX ------------------------------------------------------------------------------------
    Case("onnx_empty_file", sim("fat", "{d}/o.onnx"), r"{d}/o\.onnx: the graph has no nodes", {"o.onnx": b""}),
    Case("onnx_garbage", sim("fat", "{d}/o.onnx"), r"{d}/o\.onnx: not a readable ONNX model \(.*\)", {"o.onnx": b"\xff" * 100}),
    Case("onnx_is_directory", sim("fat", "{d}/o.onnx"), r"{d}/o\.onnx: is a directory, not a ONNX model", {"o.onnx": folder}),
    Case("onnx_is_fifo", sim("fat", "{d}/o.onnx"), r"{d}/o\.onnx: is a FIFO, not a ONNX model", {"o.onnx": fifo}, before="hangs"),
    Case("onnx_huge_input_dim", sim("fat", "{d}/o.onnx"),
         r"{d}/o\.onnx: input 'x' dim 2 = 1,000,000,000 \(graph\) exceeds the limit of 1,048,576 \(2\^20\)",
         {"o.onnx": onnx_model(_onnx_huge_input)}, before="MemoryError traceback"),
    Case("onnx_constant_of_shape_bomb", sim("fat", "{d}/o.onnx"),
         r"{d}/o\.onnx: node 'bomb' \(ConstantOfShape\): computing its constant output means 10,000,000,000 elements, more than the limit of 16,777,216 \(2\^24\)",
         {"o.onnx": onnx_model(_onnx_generator("ConstantOfShape"))}, before="allocates 40 GB: MemoryError or the OOM killer"),
    Case("onnx_range_bomb", sim("fat", "{d}/o.onnx"),
         r"{d}/o\.onnx: node 'bomb' \(Range\): computing its constant output means 10,000,000,000 elements, more than the limit of 16,777,216 \(2\^24\)",
         {"o.onnx": onnx_model(_onnx_generator("Range"))}, before="allocates 80 GB: MemoryError or the OOM killer"),
    Case("onnx_initializer_short", sim("fat", "{d}/o.onnx"), r"{d}/o\.onnx: initializer 'w' cannot be read \(.*\)",
         {"o.onnx": onnx_model(_onnx_bad_initializer)}, before="traceback (ValueError)"),
    Case("onnx_input_shape_option_huge", sim("fat", "{d}/o.onnx", "--set", "workload.input_shape=1,4,100000000,8"),
         r"{d}/o\.onnx: workload\.input_shape = '1,4,100000000,8': expected positive sizes such as 1,3,224,224",
         {"o.onnx": onnx_model(_onnx_huge_input)}),
]


def _rename_member(path: Path, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as archive:
        data = archive.read(f"{old}.npy")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{new}.npy", data)
