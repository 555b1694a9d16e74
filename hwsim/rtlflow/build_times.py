"""How long a build is expected to take, for the progress line's "about N s left".

Every build records its duration in its marker file (``build_s``); the next build of the same
block and simulator expects what the most recent one took.  Without one, the typical times
measured in BENCHMARKS.md ("Verilator builds took 9-16 s per design") stand in.
"""

from __future__ import annotations

import json
from pathlib import Path

TYPICAL_BUILD_S = {"icarus": 3.0, "verilator": 15.0, "native": 20.0}


def expected_build_s(build_root: Path, prefix: str, marker: str, kind: str) -> float:
    """The ``build_s`` of the newest ``<build_root>/<prefix>*/<marker>``, else the typical time of ``kind``."""
    newest: tuple[float, float] | None = None
    for path in build_root.glob(f"{prefix}*/{marker}"):
        try:
            seconds = json.loads(path.read_text()).get("build_s")
            mtime = path.stat().st_mtime
        except (OSError, ValueError, AttributeError):
            continue  # a marker of an older hwsim or one being written: no estimate from it
        if isinstance(seconds, (int, float)) and seconds > 0 and (newest is None or mtime > newest[0]):
            newest = (mtime, float(seconds))
    return newest[1] if newest is not None else TYPICAL_BUILD_S[kind]
