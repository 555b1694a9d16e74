"""Reading nextpnr's ``--report`` JSON and log into hwsim's P&R result (pure functions).

nextpnr names a clock after its net (``$glbnet$clk$TRELLIS_IO_IN``, ``clk$SB_IO_IN_$glb_clk``);
hwsim names it after the port it comes from (``clk``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Mapping

from hwsim.rtlflow import RtlError
from hwsim.rtlflow.fpga_parts import BEL_TYPES, FpgaPart, Resource

_UTIL_LINE = re.compile(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%$", re.M)


@dataclass(frozen=True)
class ClockResult:
    domain: str
    fmax_mhz: float
    target_mhz: float

    @property
    def met(self) -> bool:
        return self.fmax_mhz >= self.target_mhz


@dataclass(frozen=True)
class CriticalPath:
    """The slowest register-to-register path of a domain: its ends, logic levels and delay."""

    domain: str
    start: str
    end: str
    logic_levels: int
    delay_ns: float


def clock_name(net: str) -> str:
    """The port name of nextpnr's clock net ``net``."""
    name = net.split(" ")[-1]  # "posedge $glbnet$clk$TRELLIS_IO_IN" in path ends
    if name.startswith("$glbnet$"):
        name = name[len("$glbnet$"):]
    return name.split("$")[0] or net


def clocks(report: Mapping[str, Any]) -> list[ClockResult]:
    """Achieved and constrained frequency of every clock domain, by name."""
    out = [ClockResult(clock_name(net), round(float(v["achieved"]), 2), float(v["constraint"]))
           for net, v in report.get("fmax", {}).items()]
    return sorted(out, key=lambda c: c.domain)


def critical_paths(report: Mapping[str, Any]) -> list[CriticalPath]:
    """One path per clock domain that starts and ends on that domain's registers."""
    out = []
    for path in report.get("critical_paths", []):
        start, end = clock_name(path.get("from", "")), clock_name(path.get("to", ""))
        segments = path.get("path", [])
        if start != end or not segments or not path.get("from", "").startswith("posedge"):
            continue
        out.append(CriticalPath(start, segments[0]["from"]["cell"], segments[-1]["to"]["cell"],
                                sum(1 for s in segments if s.get("type") == "logic"),
                                round(sum(float(s.get("delay", 0.0)) for s in segments), 3)))
    return out


def placed(report: Mapping[str, Any], part: FpgaPart) -> dict[str, int]:
    """Used LUT/FF/BRAM/DSP (and I/O where the part's ports take pins) from nextpnr's utilization."""
    util = report.get("utilization", {})
    out = {}
    for resource, bel in BEL_TYPES[part.family].items():
        if resource is Resource.IO and part.out_of_context:
            continue
        out[resource.value] = int(util.get(bel, {}).get("used", 0))
    return out


def relative_errors(pairs: Mapping[str, tuple[float, float]]) -> dict[str, float]:
    """(estimate - placed) / placed of each (estimate, placed) pair, to 4 digits; pairs with nothing placed left out."""
    return {key: round((estimate - placed) / placed, 4) for key, (estimate, placed) in pairs.items() if placed}


def overflow(log: str, part: FpgaPart) -> str | None:
    """The first resource nextpnr's packed design needs more of than ``part`` has, as words; None if it fits."""
    names: dict[str, Resource] = {}
    for resource, bel in BEL_TYPES[part.family].items():
        names.setdefault(bel, resource)  # an iCE40 logic cell is a LUT first (its flip-flops are counted apart)
    for bel, used, available in _UTIL_LINE.findall(log):
        if int(used) > int(available):
            kind = names.get(bel)
            label = f"{kind.value.upper()} ({bel})" if kind else bel
            return f"{label}: needs {int(used):,}, the part has {int(available):,}"
    return None


def last_error(log: str) -> str:
    """nextpnr's first ERROR line, or its last line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    first = next((line for line in lines if line.startswith("ERROR:")), None)
    return first or (lines[-1] if lines else "no output")


@dataclass(frozen=True)
class PnrResult:
    """What ``hwsim rtl pnr`` reports for one design on one part."""

    block: str
    design_key: str
    part: str
    family: str
    seed: int
    target_mhz: float
    clocks: tuple[ClockResult, ...]
    paths: tuple[CriticalPath, ...]
    placed: dict[str, int]
    capacity: dict[str, int]
    params: dict[str, Any]
    tools: dict[str, str]
    out_of_context: bool
    synth_s: float
    pnr_s: float

    @property
    def fmax_mhz(self) -> float | None:
        """The slowest domain's Fmax (the clock the design runs at), None without a clocked path."""
        return min((c.fmax_mhz for c in self.clocks), default=None)

    def utilization(self) -> dict[str, float]:
        return {k: v / self.capacity[k] for k, v in self.placed.items() if self.capacity.get(k)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "hwsim.rtl-pnr/1", "block": self.block, "design_key": self.design_key, "part": self.part,
            "family": self.family, "seed": self.seed, "target_mhz": self.target_mhz, "fmax_mhz": self.fmax_mhz,
            "clocks": [{**asdict(c), "met": c.met} for c in self.clocks],
            "critical_paths": [asdict(p) for p in self.paths], "placed": self.placed, "capacity": self.capacity,
            "utilization": {k: round(v, 4) for k, v in self.utilization().items()},
            "out_of_context": self.out_of_context, "params": self.params, "tools": self.tools,
            "synth_s": self.synth_s, "pnr_s": self.pnr_s,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PnrResult":
        if data.get("schema") != "hwsim.rtl-pnr/1":
            raise RtlError(f"P&R result has schema {data.get('schema')!r}, expected 'hwsim.rtl-pnr/1'")
        return cls(data["block"], data["design_key"], data["part"], data["family"], data["seed"],
                   data["target_mhz"],
                   tuple(ClockResult(c["domain"], c["fmax_mhz"], c["target_mhz"]) for c in data["clocks"]),
                   tuple(CriticalPath(**p) for p in data["critical_paths"]), dict(data["placed"]),
                   dict(data["capacity"]), dict(data["params"]), dict(data["tools"]), data["out_of_context"],
                   data["synth_s"], data["pnr_s"])
