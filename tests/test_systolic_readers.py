"""SCALE-Sim .cfg and topology CSV readers: what they read, and one-line errors for bad files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hwsim import api
from hwsim.cli import main
from hwsim.errors import SpecError, WorkloadError
from hwsim.spec.enums import Dataflow
from hwsim.spec.systolic import BufferModel
from tests.test_systolic_parity import cfg_text, topology_text

GOOD_CFG = cfg_text(7, 5, "is", (32, 16, 8), "USER", (6, 3, 4))
SHIPPED = Path(__file__).parent / "data" / "scalesim"  # SCALE-Sim v3's own files, as they ship
HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- .cfg --------------------------------------------------------------------------------


def test_cfg_reads_array_dataflow_sizes_and_bandwidths(tmp_path):
    arch = api.load_arch(str(write(tmp_path, "a.cfg", GOOD_CFG)))
    assert (arch.name, arch.array.rows, arch.array.cols, arch.dataflow) == ("parity", 7, 5, Dataflow.INPUT_STATIONARY)
    assert (arch.sram.ifmap_kb, arch.sram.filter_kb, arch.sram.ofmap_kb, arch.sram.double_buffered) == (32, 16, 8, True)
    # SCALE-Sim fills ifmap/filter at the [layout] bank bandwidths, drains ofmap at Bandwidth.
    assert (arch.dram.ifmap_words_per_cycle, arch.dram.filter_words_per_cycle, arch.dram.ofmap_words_per_cycle) == (3, 4, 6)
    assert arch.buffer_model is BufferModel.SCALESIM
    assert arch.energy.mac.source.startswith("Horowitz")


def test_cfg_calc_mode_and_overrides(tmp_path):
    path = write(tmp_path, "a.cfg", cfg_text(8, 8, "ws", (64, 64, 64), "CALC", (10, 10, 10)))
    arch = api.load_arch(str(path), overrides={"clock_mhz": 250.0, "energy.mac.pj": 1.5})
    assert arch.dram.is_calc and arch.clock_mhz == 250.0 and arch.energy.mac.pj == 1.5


@pytest.mark.parametrize("old, new, message", [
    ("Dataflow: is", "Dataflow: wss",
     r"\[architecture_presets\] Dataflow = 'wss': expected one of os, ws, is$"),
    ("ArrayHeight: 7", "ArrayHeight: seven",
     r"\[architecture_presets\] ArrayHeight = 'seven': expected a positive integer$"),
    ("ArrayWidth: 5", "ArrayWidth: 0",
     r"\[architecture_presets\] ArrayWidth = '0': expected a positive integer$"),
    ("IfmapSramSzkB: 32\n", "",
     r"\[architecture_presets\] missing key 'IfmapSramSzkB'$"),
    ("InterfaceBandwidth: USER", "InterfaceBandwidth: FAST",
     r"\[run_presets\] InterfaceBandwidth = 'FAST': expected USER or CALC$"),
    ("Bandwidth: 6", "Bandwidth: lots",
     r"\[architecture_presets\] Bandwidth = 'lots': expected positive words per cycle$"),
    ("ArrayHeight: 7", "ArrayHieght: 7",
     r"\[architecture_presets\] unknown key 'arrayhieght'$"),
    ("SparsitySupport: false", "SparsitySupport: true",
     r"\[sparsity\] SparsitySupport = 'true': sparse filters are not modelled by hwsim$"),
    ("IfmapCustomLayout: False", "IfmapCustomLayout: True",
     r"\[layout\] IfmapCustomLayout = 'True': custom SRAM layouts are not modelled by hwsim$"),
    ("UseRamulatorTrace: False", "UseRamulatorTrace: TRUE",
     r"\[run_presets\] UseRamulatorTrace = 'TRUE': Ramulator DRAM traces are not modelled by hwsim$"),
    ("UseRamulatorTrace: False", "UseRamulatorTrace: maybe",
     r"\[run_presets\] UseRamulatorTrace = 'maybe': expected True or False$"),
    ("ReadRequestBuffer: 32", "ReadRequestBuffer: 32\nMemoryBanks: two",
     r"\[architecture_presets\] MemoryBanks = 'two': expected a positive integer$"),
    ("IfmapSRAMBankNum: 1", "IfmapSRAMBankNum: 0",
     r"\[layout\] IfmapSRAMBankNum = '0': expected a positive integer$"),
    ("FilterOffset: 10000000", "FilterOffset: -5",
     r"\[architecture_presets\] FilterOffset = '-5': expected a non-negative integer$"),
    ("[general]\n", "run_name_first = 1\n[general]\n",
     r"line 1: 'run_name_first = 1' comes before any \[section\] header$"),
])
def test_cfg_errors_name_file_key_and_value(tmp_path, old, new, message):
    assert old in GOOD_CFG
    path = write(tmp_path, "bad.cfg", GOOD_CFG.replace(old, new, 1))
    with pytest.raises(SpecError, match="^" + re.escape(str(path)) + ": " + message):
        api.load_arch(str(path))


# What each of SCALE-Sim's shipped configs asks for: (rows, cols, dataflow, SRAM KB, DRAM words
# per cycle for ifmap, filter, ofmap), or the one-line error for what hwsim does not model.
SHIPPED_CONFIGS = {
    "scale.cfg": (32, 32, "ws", (64, 64, 64), ("calc",) * 3),
    "google.cfg": (256, 256, "os", (6144, 6144, 2048), (10, 10, 10)),
    # SCALE-Sim 3.0.0 itself stops on these two (no [layout] section; no UseRamulatorTrace).
    "eyeriss.cfg": (12, 14, "ws", (36, 36, 36), ("calc",) * 3),
    "scale_layout.cfg": (128, 128, "os", (256, 256, 256), (64, 640, 64)),
    "google_ramulator.cfg": r"\[run_presets\] UseRamulatorTrace = 'True': Ramulator DRAM traces are not modelled by hwsim$",
    "sparsity.cfg": r"\[sparsity\] SparsitySupport = 'true': sparse filters are not modelled by hwsim$",
    "tpuv5e_downscale.cfg": r"\[layout\] IfmapCustomLayout = 'True': custom SRAM layouts are not modelled by hwsim$",
    **{f"rebuttal_test_{df}{bw}.cfg": r"\[layout\] IfmapCustomLayout = 'True': custom SRAM layouts are not modelled by hwsim$"
       for df in ("is", "os", "ws") for bw in ("", "_high_bw")},
}


def test_every_shipped_config_is_covered():
    assert sorted(SHIPPED_CONFIGS) == sorted(path.name for path in (SHIPPED / "configs").glob("*.cfg"))


@pytest.mark.parametrize("name", sorted(SHIPPED_CONFIGS))
def test_shipped_configs_read_as_they_ship(name):
    path = SHIPPED / "configs" / name
    expected = SHIPPED_CONFIGS[name]
    if isinstance(expected, str):
        with pytest.raises(SpecError, match="^" + re.escape(str(path)) + ": " + expected):
            api.load_arch(str(path))
        return
    rows, cols, dataflow, kb, bandwidths = expected
    arch = api.load_arch(str(path))
    assert (arch.array.rows, arch.array.cols, arch.dataflow.value) == (rows, cols, dataflow)
    assert (arch.sram.ifmap_kb, arch.sram.filter_kb, arch.sram.ofmap_kb) == kb
    assert (arch.dram.ifmap_words_per_cycle, arch.dram.filter_words_per_cycle, arch.dram.ofmap_words_per_cycle) == bandwidths


@pytest.mark.parametrize("name", sorted(name for name, want in SHIPPED_CONFIGS.items() if not isinstance(want, str)))
def test_cli_simulates_with_each_accepted_shipped_config(tmp_path, name):
    topo = write(tmp_path, "t.csv", topology_text([("c1", 9, 8, 3, 3, 3, 5, 1), ("DP1", 7, 7, 3, 3, 2, 1, 2)]))
    out = tmp_path / "out.json"
    assert main(["simulate", "--model", str(topo), "--arch", str(SHIPPED / "configs" / name), "--json", str(out),
                 "--quiet"]) == 0
    import json

    report = json.loads(out.read_text())
    layers = report["layers"]
    assert [row["name"] for row in layers] == ["c1", "DP1Channel_0", "DP1Channel_1"]
    assert all(row["cycles"] > 0 and row["prefetch_cycles"] > 0 for row in layers)
    assert report["total"]["prefetch_cycles"] == sum(row["prefetch_cycles"] for row in layers)


def _same_spec(tmp_path: Path, text: str, other: str) -> bool:
    """Both texts, saved under one file name, give equal specs."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    return api.load_arch(str(write(tmp_path / "a", "x.cfg", text))) == api.load_arch(str(write(tmp_path / "b", "x.cfg", other)))


def test_cfg_ignores_memory_banks_as_scalesim_does(tmp_path):
    # SCALE-Sim v3 never reads MemoryBanks (scale.cfg, sparsity.cfg) nor OnChipMemoryBanks/-Ports
    # (eyeriss.cfg), so any count runs as one bank.
    text = GOOD_CFG.replace("ReadRequestBuffer: 32", "ReadRequestBuffer: 32\nMemoryBanks: 4\nOnChipMemoryBanks: 2\n"
                                                     "OnChipMemoryBankPorts: 3")
    assert _same_spec(tmp_path, text, GOOD_CFG)


def test_cfg_without_sparsity_or_ramulator_keys_runs_them_off(tmp_path):
    text = GOOD_CFG.replace("[sparsity]\nSparsitySupport: false\n", "").replace("UseRamulatorTrace: False\n", "")
    assert "sparsity" not in text and "Ramulator" not in text
    assert _same_spec(tmp_path, text, GOOD_CFG)


def test_cfg_missing_section(tmp_path):
    text = GOOD_CFG.split("[run_presets]")[0]
    path = write(tmp_path, "bad.cfg", text)
    with pytest.raises(SpecError, match=r"^" + re.escape(str(path)) + r": missing section \[run_presets\]$"):
        api.load_arch(str(path))


def test_cli_prints_one_line_and_exits_2(tmp_path, capsys):
    cfg = write(tmp_path, "bad.cfg", GOOD_CFG.replace("Dataflow: is", "Dataflow: weight"))
    topo = write(tmp_path, "t.csv", topology_text([("a", 5, 5, 3, 3, 2, 4, 1)]))
    assert main(["simulate", "--model", str(topo), "--arch", str(cfg), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.endswith("Dataflow = 'weight': expected one of os, ws, is")


def test_cli_simulate_cfg_and_topology_writes_scalesim_fields(tmp_path):
    cfg = write(tmp_path, "a.cfg", GOOD_CFG)
    topo = write(tmp_path, "t.csv", topology_text([("a", 5, 5, 3, 3, 2, 4, 1), ("b", 4, 4, 1, 1, 8, 3, 2)]))
    out = tmp_path / "out.json"
    assert main(["simulate", "--model", str(topo), "--arch", str(cfg), "--json", str(out), "--quiet"]) == 0
    import json

    layers = json.loads(out.read_text())["layers"]
    assert [row["name"] for row in layers] == ["a", "b"]
    assert all(row["cycles"] == row["compute_cycles"] + row["stall_cycles"] for row in layers)


# --- topology CSV -------------------------------------------------------------------------


def test_topology_reads_layers_with_scalesim_output_rounding(tmp_path):
    net = api.load_network(str(write(tmp_path, "t.csv", HEADER + "c1, 12, 10, 3, 2, 3, 20, 2,\nfc, 1, 1, 1, 1, 64, 10, 1\n")))
    c1, fc = net.layers
    # ceil((12 - 3) / 2) + 1 = 6 rows (the last window overhangs), ceil((10 - 2) / 2) + 1 = 5.
    assert (c1.K, c1.C, c1.P, c1.Q, c1.R, c1.S, c1.stride) == (20, 3, 6, 5, 3, 2, (2, 2))
    assert net.layers[0].ifmap_hw == (12, 10)
    assert (fc.K, fc.C, fc.P, fc.Q) == (10, 64, 1, 1) and fc.inputs == ("c1",)


def test_topology_depthwise_rows_split_per_channel_and_gemm_files(tmp_path):
    net = api.load_network(str(write(tmp_path, "t.csv", HEADER + "DP1, 6, 6, 3, 3, 3, 1, 1,\n")))
    assert [layer.name for layer in net.layers] == ["DP1Channel_0", "DP1Channel_1", "DP1Channel_2"]
    gemm = api.load_network(str(write(tmp_path, "g.csv", "Layer, M, N, K,\nmm, 10, 7, 33,\n")))
    (mm,) = gemm.layers
    assert (mm.P * mm.Q, mm.K, mm.C * mm.R * mm.S) == (10, 7, 33)


def _gemm_rows(path: Path) -> list[tuple[str, int, int, int]]:
    """The rows of a SCALE-Sim GEMM file, read independently of the reader under test."""
    rows = []
    for line in path.read_text().splitlines()[1:]:
        cells = [cell.strip() for cell in line.split(",")]
        if cells[0]:
            rows.append((cells[0], int(cells[1]), int(cells[2]), int(cells[3])))
    return rows


@pytest.mark.parametrize("path", sorted((SHIPPED / "topologies" / "GEMM_mnk").glob("*.csv")), ids=lambda p: p.name)
def test_shipped_gemm_topologies_read_as_they_ship(path):
    # CRLF or LF, "Layer" or "Layer Name", with or without spaces, blank and unterminated last lines.
    net = api.load_network(str(path))
    want = _gemm_rows(path)
    assert [layer.name for layer in net.layers] == [name for name, *_ in want]
    for layer, (_, m, n, k) in zip(net.layers, want):
        # SCALE-Sim's conv form: ifmap M x K, filter 1 x K, one channel, N filters, stride 1.
        assert (layer.P, layer.Q, layer.R, layer.S, layer.C, layer.K, layer.stride) == (m, 1, 1, k, 1, n, (1, 1))
        assert layer.ifmap_hw == (m, k) and layer.macs == m * n * k


@pytest.mark.parametrize("text, message", [
    ("c1, 12, 10, 3, 2, 3, 20, 2,\n",
     r"row 1: missing header: 'c1' holds numbers \(start the file with 'Layer name, IFMAP Height, "),
    (HEADER + "c1, 12, 10, 3, 2, 3, 20,\n",
     r"row 2 \(layer 'c1'\): expected 8 fields \(name, IFMAP Height, .*, got 7$"),
    (HEADER + "c1, 12, ten, 3, 2, 3, 20, 1,\n",
     r"row 2 \(layer 'c1'\): IFMAP Width = 'ten': expected a positive integer$"),
    (HEADER + "c1, 4, 4, 5, 5, 3, 20, 1,\n",
     r"row 2 \(layer 'c1'\): filter 5x5 is larger than the ifmap 4x4$"),
    (HEADER + "c1, 4, 4, 1, 1, 3, 2, 0,\n",
     r"row 2 \(layer 'c1'\): Strides = '0': expected a positive integer$"),
    (HEADER + "c1, 4, 4, 1, 1, 3, 2, 1,\nc1, 4, 4, 1, 1, 3, 2, 1,\n",
     r"row 3: layer name 'c1' is used twice$"),
    (HEADER + "c1, 4, 4, 1, 1, 3, 2, 1, 2:4,\n",
     r"row 2 \(layer 'c1'\): sparsity '2:4': only dense \(1:1\) layers are modelled$"),
    (HEADER, r"no layers after the header$"),
    ("Layer, M, N, K,\nmm, 10, 7, 33, 2:4,\n",
     r"row 2 \(layer 'mm'\): sparsity '2:4': only dense \(1:1\) layers are modelled$"),
    ("Layer, M, N, K,\nmm, 10, 7,\n",
     r"row 2 \(layer 'mm'\): expected 4 fields \(name, M, N, K\) and an optional N:M sparsity, got 3$"),
    ("Layer, M, N, K,\nmm, 10, 0, 33,\n", r"row 2 \(layer 'mm'\): N = '0': expected a positive integer$"),
    ("\n\n", r"empty topology file$"),
])
def test_topology_errors_name_file_row_and_value(tmp_path, text, message):
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(WorkloadError, match="^" + re.escape(str(path)) + ": " + message):
        api.load_network(str(path))


def test_topology_takes_no_workload_options(tmp_path):
    path = write(tmp_path, "t.csv", HEADER + "c1, 4, 4, 1, 1, 3, 2, 1,\n")
    with pytest.raises(WorkloadError, match=r": --set workload.seed does not apply to a SCALE-Sim topology$"):
        api.load_network(str(path), overrides={"seed": 3})


# --- YAML spec ----------------------------------------------------------------------------


@pytest.mark.parametrize("key, value, message", [
    ("dataflow", "wss", r"key 'dataflow' = 'wss': Input should be 'os', 'ws' or 'is'$"),
    ("dram.filter_words_per_cycle", 0, r"key 'dram.filter_words_per_cycle' = 0: expected a positive number"),
    ("array.rows", 0, r"key 'array.rows' = 0: Input should be greater than 0$"),
])
def test_yaml_spec_errors(key, value, message):
    with pytest.raises(SpecError, match=r"^preset 'systolic-32x32-ws': " + message):
        api.load_arch("systolic-32x32-ws", overrides={key: value})


def test_scalesim_buffer_model_needs_double_buffering():
    with pytest.raises(SpecError, match=r"^preset 'systolic-32x32-ws': key 'buffer_model' = 'scalesim': SCALE-Sim's buffer policy keeps half "
                       r"of each buffer active: it needs sram.double_buffered: true$"):
        api.load_arch("systolic-32x32-ws", overrides={"buffer_model": "scalesim", "sram.double_buffered": False})
