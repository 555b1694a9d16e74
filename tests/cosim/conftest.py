"""Co-simulation fixtures: one shared build root, Amaranth's wasm Yosys warmed once.

Builds are keyed by (simulator, design hash) under ``build/cosim`` and made behind a file
lock by ``hwsim.rtlflow.runner``, so ``pytest -n 2`` workers share them safely and a second
run reuses them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from filelock import FileLock

from hwsim.rtlflow.generate import make_design

COSIM_BUILD = Path(__file__).resolve().parents[2] / "build" / "cosim"


@pytest.fixture(scope="session")
def build_root():
    """The shared build root, after one Verilog conversion has compiled the wasm Yosys.

    The first conversion on a machine takes seconds (the wasm is compiled and cached on
    disk); under the lock only one xdist worker pays it, the others then hit the cache.
    """
    COSIM_BUILD.mkdir(parents=True, exist_ok=True)
    with FileLock(str(COSIM_BUILD / "warm-amaranth.lock")):
        make_design("ternary_adder", params={"width_bits": 4})
    return COSIM_BUILD
