"""hwsim's systolic engine against SCALE-Sim v3 itself, run here on small layers.

Every configuration runs SCALE-Sim once on all layers (one subprocess per config), in a
temporary directory; hwsim reads the same .cfg and topology files.  Per layer, compute
cycles, total cycles, stall cycles and SCALE-Sim's "Total Cycles (incl. prefetch)" (hwsim's
``cycles + prefetch_cycles``) must be equal, as must the SRAM reads SCALE-Sim counts for the
ifmap and filter buffers.  Stalls appear in the USER configurations with 1-2 KB SRAMs, where
most layers stall in SCALE-Sim on reads, or on ofmap writes.

Three sets: conv layers with depthwise ("DP") rows, which SCALE-Sim runs as one
single-channel layer per channel and hwsim also as one grouped layer (G = channels), whose
counts must be the sums of SCALE-Sim's channels; rows of SCALE-Sim's own GEMM topologies
(``-i gemm``); and SCALE-Sim's own example configs that SCALE-Sim 3.0.0 can read.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from hwsim import api
from hwsim.sim.systolic.network import simulate_layer
from hwsim.sim.systolic.scalesim_peer import PeerLayer, run_scalesim
from hwsim.workload.layers import Layer, LayerKind, Quant, QuantKind

REPO = Path(__file__).resolve().parents[1]
SCALESIM_PYTHON = REPO / ".venv-scalesim" / "bin" / "python"

# name, ifmap H, W, filter R, S, channels, filters, stride: odd sizes, overhanging strides,
# 1x1, a fully connected layer, all smaller than or not divisible by the arrays below.
LAYERS = (
    ("odd3x3", 11, 9, 3, 3, 5, 13, 1),
    ("s2_overhang", 15, 12, 3, 3, 4, 7, 2),
    ("pw1x1", 6, 6, 1, 1, 33, 17, 1),
    ("k5s2", 9, 10, 5, 5, 3, 6, 2),
    ("fc", 1, 1, 1, 1, 70, 19, 1),
)
# Depthwise rows (the same columns; Channels = groups, Num Filter = filters per channel):
# MobileNet's 3x3 stride-2 depthwise on a padded 25x25 ifmap, and a channel multiplier of 2.
DEPTHWISE = (
    ("DPmbv1_s2", 25, 25, 3, 3, 4, 1, 2),
    ("DPx2", 9, 10, 3, 3, 3, 2, 1),
)

# rows, cols, dataflow, SRAM KB (ifmap, filter, ofmap), mode, bandwidths (DRAM, ifmap, filter)
CONFIGS = (
    (8, 8, "os", (64, 64, 64), "CALC", (10, 10, 10)),
    (8, 8, "ws", (64, 64, 64), "CALC", (10, 10, 10)),
    (8, 8, "is", (64, 64, 64), "CALC", (10, 10, 10)),
    (7, 5, "os", (64, 64, 64), "CALC", (10, 10, 10)),
    (5, 12, "ws", (64, 64, 64), "CALC", (10, 10, 10)),
    (12, 3, "is", (64, 64, 64), "CALC", (10, 10, 10)),
    (4, 16, "is", (1, 1, 1), "CALC", (10, 10, 10)),  # CALC never stalls, even with 1 KB buffers
    # 1 KB: a depthwise channel's 625 ifmap words fill half the buffer's sets before the
    # first read, which its 9-row stationary ifmap on 16 rows makes at line 7 (prefetch).
    (16, 12, "is", (1, 1, 1), "CALC", (10, 10, 10)),
    (8, 4, "ws", (64, 64, 64), "USER", (16, 16, 16)),
    # Small SRAMs and narrow DRAM: SCALE-Sim's buffers stall; hwsim replays its policy.
    (8, 4, "os", (1, 1, 1), "USER", (2, 2, 2)),
    (8, 4, "ws", (1, 2, 1), "USER", (4, 3, 5)),
    (6, 7, "is", (2, 1, 1), "USER", (3, 5, 2)),
    (8, 8, "is", (1, 1, 1), "USER", (2, 2, 2)),  # IS stalls on the depthwise channels too
    (16, 16, "ws", (1, 1, 1), "USER", (8, 4, 4)),
    # A 1 KB ofmap buffer draining 1-2 words per cycle: writes block while it drains.
    (8, 8, "ws", (64, 64, 1), "USER", (1, 50, 50)),
    (4, 6, "is", (64, 64, 1), "USER", (1, 50, 50)),
)


def cfg_text(rows: int, cols: int, dataflow: str, kb: tuple[int, int, int], mode: str, bw: tuple[int, int, int]) -> str:
    return f"""[general]
run_name = parity

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: {kb[0]}
FilterSramSzkB: {kb[1]}
OfmapSramSzkB: {kb[2]}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Bandwidth: {bw[0]}
Dataflow: {dataflow}
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: {bw[1]}
IfmapSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: {bw[2]}
FilterSRAMBankNum: 1
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport: false

[run_presets]
InterfaceBandwidth: {mode}
UseRamulatorTrace: False
"""


def topology_text(layers) -> str:
    header = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
    return header + "".join(", ".join(str(v) for v in layer) + ",\n" for layer in layers)


def assert_layer_equal(mine: dict, theirs: PeerLayer) -> None:
    got = (mine["compute_cycles"], mine["stall_cycles"], mine["cycles"], mine["cycles"] + mine["prefetch_cycles"],
           mine["ifmap_sram_reads"], mine["filter_sram_reads"])
    want = (theirs.compute_cycles, theirs.stall_cycles, theirs.cycles, theirs.total_cycles_incl_prefetch,
            theirs.ifmap_sram_reads, theirs.filter_sram_reads)
    assert got == want, f"layer {mine['name']}: hwsim {got} != SCALE-Sim {want}"
    assert mine["utilization"] * 100 == pytest.approx(theirs.overall_util_percent, rel=1e-9)


def grouped_layer(name: str, h: int, w: int, r: int, s: int, channels: int, filters: int, stride: int) -> Layer:
    """A depthwise row as one grouped layer: G = channels groups of one channel and ``filters`` filters."""
    p, q = math.ceil((h - r) / stride) + 1, math.ceil((w - s) / stride) + 1
    return Layer(name, LayerKind.CONV, 1, filters, 1, p, q, r, s, stride, 0, ("",), 8, Quant(QuantKind.INT, 8),
                 ifmap_hw=(h, w), G=channels)


def assert_groups_sum_channels(layer: Layer, channels: list[PeerLayer], arch) -> None:
    stats = simulate_layer(layer, arch)
    got = (stats.compute_cycles, stats.other_cycles, stats.cycles, stats.cycles + stats.extra["prefetch_cycles"],
           stats.extra["ifmap_sram_reads"], stats.extra["filter_sram_reads"])
    want = tuple(sum(values) for values in zip(*(
        (c.compute_cycles, c.stall_cycles, c.cycles, c.total_cycles_incl_prefetch, c.ifmap_sram_reads,
         c.filter_sram_reads) for c in channels)))
    assert got == want, f"grouped {layer.name}: hwsim {got} != sum of SCALE-Sim's channels {want}"


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c[0]}x{c[1]}-{c[2]}-{c[4]}")
def test_cycles_equal_scalesim(config, tmp_path: Path) -> None:
    cfg = tmp_path / "arch.cfg"
    cfg.write_text(cfg_text(*config))
    topology = tmp_path / "topology.csv"
    topology.write_text(topology_text(LAYERS + DEPTHWISE))
    peer = run_scalesim(SCALESIM_PYTHON, cfg, topology, tmp_path / "scalesim")
    arch = api.load_arch(str(cfg))
    ours = api.simulate(api.load_network(str(topology)), arch).to_dict()["layers"]
    channels = sum(row[5] for row in DEPTHWISE)
    assert len(peer) == len(ours) == len(LAYERS) + channels
    if config[4] == "USER" and min(config[3]) < 4:
        assert sum(layer.stall_cycles > 0 for layer in peer) >= 2, "this configuration should stall"
    for theirs, mine in zip(peer, ours):
        assert_layer_equal(mine, theirs)
    first = len(LAYERS)
    for row in DEPTHWISE:
        assert_groups_sum_channels(grouped_layer(*row), peer[first:first + row[5]], arch)
        first += row[5]


SHIPPED = REPO / "tests" / "data" / "scalesim"
# Rows of SCALE-Sim's own GEMM topologies (file, layer name): attention scores of a
# Transformer, and NCF's K = 1 outer product (2048 x 128).
GEMM_ROWS = (("transformer_partial.csv", "SD_MatMul_QK_00"), ("NCF.csv", "12"))
GEMM_CONFIGS = (
    (32, 32, "os", (64, 64, 64), "CALC", (10, 10, 10)),
    (8, 16, "ws", (1, 1, 1), "CALC", (10, 10, 10)),
    (32, 32, "ws", (4, 4, 2), "USER", (8, 8, 8)),
    (32, 32, "is", (2, 2, 1), "USER", (4, 4, 4)),
)


def gemm_topology_text() -> str:
    """The chosen rows, as they are in their files (CRLF, no spaces), under one header."""
    rows = []
    for file, name in GEMM_ROWS:
        lines = (SHIPPED / "topologies" / "GEMM_mnk" / file).read_bytes().decode().splitlines(keepends=True)
        (row,) = [line for line in lines[1:] if line.split(",")[0].strip() == name]
        rows.append(row if row.endswith("\n") else row + "\r\n")
    return "Layer,M,N,K,\r\n" + "".join(rows)


@pytest.mark.parametrize("config", GEMM_CONFIGS, ids=lambda c: f"{c[0]}x{c[1]}-{c[2]}-{c[4]}")
def test_gemm_topology_cycles_equal_scalesim(config, tmp_path: Path) -> None:
    cfg = tmp_path / "arch.cfg"
    cfg.write_text(cfg_text(*config))
    topology = tmp_path / "gemm.csv"
    topology.write_bytes(gemm_topology_text().encode())
    peer = run_scalesim(SCALESIM_PYTHON, cfg, topology, tmp_path / "scalesim", gemm=True)
    ours = api.simulate(api.load_network(str(topology)), api.load_arch(str(cfg))).to_dict()["layers"]
    assert [layer["name"] for layer in ours] == [name for _, name in GEMM_ROWS] and len(peer) == len(ours)
    if config[4] == "USER":
        assert all(layer.stall_cycles > 0 for layer in peer), "this configuration should stall"
    for theirs, mine in zip(peer, ours):
        assert_layer_equal(mine, theirs)


# SCALE-Sim's example configs that SCALE-Sim 3.0.0 itself reads (the others lack keys it
# requires, or switch on what hwsim does not model: tests/test_systolic_readers.py).
@pytest.mark.parametrize("name", ["scale.cfg", "google.cfg"])
def test_shipped_config_cycles_equal_scalesim(name, tmp_path: Path) -> None:
    cfg = SHIPPED / "configs" / name
    topology = tmp_path / "topology.csv"
    topology.write_text(topology_text(LAYERS[:2] + DEPTHWISE[:1]))
    peer = run_scalesim(SCALESIM_PYTHON, cfg, topology, tmp_path / "scalesim")
    ours = api.simulate(api.load_network(str(topology)), api.load_arch(str(cfg))).to_dict()["layers"]
    assert len(peer) == len(ours) == 2 + DEPTHWISE[0][5]
    for theirs, mine in zip(peer, ours):
        assert_layer_equal(mine, theirs)
