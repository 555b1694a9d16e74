"""hwsim's systolic engine against SCALE-Sim v3 itself, run here on small layers.

Every configuration runs SCALE-Sim once on all layers (one subprocess per config), in a
temporary directory; hwsim reads the same .cfg and topology files.  Per layer, compute
cycles, total cycles and stall cycles must be equal, as must the SRAM reads SCALE-Sim
counts for the ifmap and filter buffers.  Stalls appear in the USER configurations with
1-2 KB SRAMs, where most layers stall in SCALE-Sim on reads, or on ofmap writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hwsim import api
from hwsim.sim.systolic.scalesim_peer import run_scalesim

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

# rows, cols, dataflow, SRAM KB (ifmap, filter, ofmap), mode, bandwidths (DRAM, ifmap, filter)
CONFIGS = (
    (8, 8, "os", (64, 64, 64), "CALC", (10, 10, 10)),
    (8, 8, "ws", (64, 64, 64), "CALC", (10, 10, 10)),
    (8, 8, "is", (64, 64, 64), "CALC", (10, 10, 10)),
    (7, 5, "os", (64, 64, 64), "CALC", (10, 10, 10)),
    (5, 12, "ws", (64, 64, 64), "CALC", (10, 10, 10)),
    (12, 3, "is", (64, 64, 64), "CALC", (10, 10, 10)),
    (4, 16, "is", (1, 1, 1), "CALC", (10, 10, 10)),  # CALC never stalls, even with 1 KB buffers
    (8, 4, "ws", (64, 64, 64), "USER", (16, 16, 16)),
    # Small SRAMs and narrow DRAM: SCALE-Sim's buffers stall; hwsim replays its policy.
    (8, 4, "os", (1, 1, 1), "USER", (2, 2, 2)),
    (8, 4, "ws", (1, 2, 1), "USER", (4, 3, 5)),
    (6, 7, "is", (2, 1, 1), "USER", (3, 5, 2)),
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


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c[0]}x{c[1]}-{c[2]}-{c[4]}")
def test_cycles_equal_scalesim(config, tmp_path: Path) -> None:
    cfg = tmp_path / "arch.cfg"
    cfg.write_text(cfg_text(*config))
    topology = tmp_path / "topology.csv"
    topology.write_text(topology_text(LAYERS))
    peer = run_scalesim(SCALESIM_PYTHON, cfg, topology, tmp_path / "scalesim")
    ours = api.simulate(api.load_network(str(topology)), api.load_arch(str(cfg))).to_dict()["layers"]
    assert len(peer) == len(ours) == len(LAYERS)
    if config[4] == "USER" and min(config[3]) < 4:
        assert sum(layer.stall_cycles > 0 for layer in peer) >= 2, "this configuration should stall"
    for theirs, mine in zip(peer, ours):
        got = (mine["compute_cycles"], mine["stall_cycles"], mine["cycles"],
               mine["ifmap_sram_reads"], mine["filter_sram_reads"])
        want = (theirs.compute_cycles, theirs.stall_cycles, theirs.cycles,
                theirs.ifmap_sram_reads, theirs.filter_sram_reads)
        assert got == want, f"layer {mine['name']}: hwsim {got} != SCALE-Sim {want}"
        assert mine["utilization"] * 100 == pytest.approx(theirs.overall_util_percent, rel=1e-9)
