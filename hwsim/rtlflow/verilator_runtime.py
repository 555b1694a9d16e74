"""Verilator's runtime library compiled once per build root and shared by the native builds.

Every ``verilator --build`` compiles ``verilated.cpp`` and ``verilated_threads.cpp`` again
(about 6 of the 9 CPU seconds of a small design's build); their objects depend only on the
Verilator installation and the build options, not on the design.  The first native build in a
build root compiles them as usual, holding a lock that parallel builds wait on, and leaves
copies in ``<build_root>/verilator-runtime-<key>/``; later builds pass ``VM_GLOBAL_FAST=`` and
``VM_GLOBAL_SLOW=`` to make (so it compiles none of the runtime) and link those copies
(``-LDFLAGS``).  The key hashes the Verilator root, its ``verilated.mk`` and the options.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from filelock import FileLock

RUNTIME_OBJECTS = ("verilated.o", "verilated_threads.o")
"""The runtime objects a design of ours links (``VM_GLOBAL_FAST`` of the generated makefile)."""


def runtime_dir(build_root: Path, env: dict[str, str], options: Sequence[str]) -> Path:
    """Where the runtime objects of this Verilator and these ``options`` are kept."""
    root = subprocess.run(["verilator", "--getenv", "VERILATOR_ROOT"], capture_output=True, text=True,
                          env={**os.environ, **env}).stdout.strip()
    mk = Path(root) / "include" / "verilated.mk"
    text = mk.read_text() if mk.exists() else ""
    key = hashlib.sha256("\0".join([root, text, *options]).encode()).hexdigest()[:12]
    return build_root / f"verilator-runtime-{key}"


def cached(runtime: Path) -> list[Path] | None:
    """The cached objects, or None when they are not all there yet."""
    objects = [runtime / name for name in RUNTIME_OBJECTS]
    return objects if all(o.exists() for o in objects) else None


def link_options(objects: list[Path]) -> list[str]:
    """Verilator options that skip compiling the runtime and link ``objects`` instead."""
    return ["-MAKEFLAGS", "VM_GLOBAL_FAST=", "-MAKEFLAGS", "VM_GLOBAL_SLOW=",
            "-LDFLAGS", " ".join(str(o) for o in objects)]


def lock(runtime: Path) -> FileLock:
    """Held while a build compiles the runtime, so that parallel builds wait and then link it."""
    runtime.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(runtime) + ".lock")


def keep(runtime: Path, obj_dir: Path) -> None:
    """Copy a finished build's runtime objects into ``runtime`` (atomically; call under :func:`lock`)."""
    if not all((obj_dir / name).exists() for name in RUNTIME_OBJECTS):
        return
    runtime.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_OBJECTS:
        if not (runtime / name).exists():
            tmp = runtime / f".{name}.{os.getpid()}.tmp"
            shutil.copyfile(obj_dir / name, tmp)
            os.replace(tmp, runtime / name)
