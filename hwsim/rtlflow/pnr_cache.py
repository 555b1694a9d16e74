"""P&R results kept on disk by design key, and which arch spec a result implements.

A result is stored under ``<cache>/pnr/`` with a name made of the block, the design key (hash
of the Verilog text, which encodes every parameter), the part, the seed, the target clock and
the tool versions, so a changed design or tool is never answered from an old result.
``<cache>`` is ``$HWSIM_CACHE_DIR`` or ``~/.cache/hwsim``.

``hwsim rtl pnr ... --implements ARCH`` also records the result as the placed design of arch
spec ``ARCH`` (its ``name``), which ``hwsim simulate`` reads for the assumed-vs-achieved clock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from hwsim.rtlflow import RtlError
from hwsim.rtlflow.generate import write_if_changed
from hwsim.rtlflow.pnr_report import PnrResult


def cache_root() -> Path:
    root = os.environ.get("HWSIM_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "hwsim"


def result_path(block: str, design_key: str, part: str, seed: int, clock_mhz: float, tools: dict[str, str]) -> Path:
    stamp = hashlib.sha256(json.dumps(tools, sort_keys=True).encode()).hexdigest()[:8]
    return cache_root() / "pnr" / f"{block}-{design_key}-{part}-s{seed}-{clock_mhz:g}MHz-{stamp}.json"


def load_result(path: Path) -> PnrResult | None:
    """The cached result at ``path``, or None when there is none (or it cannot be read)."""
    try:
        return PnrResult.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError, RtlError):
        return None


def _write(path: Path, payload: dict[str, Any]) -> None:
    write_if_changed(path, json.dumps(payload, indent=2) + "\n")


def store_result(path: Path, result: PnrResult) -> None:
    _write(path, result.to_dict())


def _arch_path(arch_name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", arch_name)
    return cache_root() / "pnr" / "implements" / f"{safe}.json"


def record_implementation(arch_name: str, result: PnrResult, command: str) -> Path:
    """Record ``result`` as the placed design of arch spec ``arch_name`` (the latest one wins)."""
    path = _arch_path(arch_name)
    _write(path, {"arch": arch_name, "command": command, "result": result.to_dict()})
    return path


def implementation(arch_name: str) -> tuple[PnrResult, str] | None:
    """(result, the command that made it) recorded for arch spec ``arch_name``, or None."""
    try:
        data = json.loads(_arch_path(arch_name).read_text())
        return PnrResult.from_dict(data["result"]), str(data["command"])
    except (OSError, ValueError, KeyError, TypeError, RtlError):
        return None
