"""Verilog generation with rewrite-only-on-change, and the design key of a build.

A Verilator build recompiles everything when its Verilog file gets a new mtime, even with
identical text, so files are written only when their text changes and build directories
are keyed by a hash of the Verilog text (which already encodes every parameter).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from hwsim.rtlflow import RtlError
from hwsim.rtlflow.blocks import RtlBlock, get_block
from hwsim.spec.arch import load_arch_spec
from hwsim.extras import require

# where ``rtl/`` and ``testbench/`` live in a source checkout (added to the simulator's PYTHONPATH)
SOURCE_ROOT = Path(__file__).resolve().parents[2]


# An all-zero memory initializer as Yosys writes it, one assignment per word: Amaranth always
# initializes memories (260,000 lines for the output tiles of a 32x32 systolic array).
ZERO_MEMORY_INIT = re.compile(r"^  initial begin\n(?:    [\w\\$.\[\]]+\[\d+\] = \d+'s?[dhb]0+;\n)+  end\n", re.MULTILINE)


def default_build_root() -> Path:
    """``./build`` of the current directory (ignored by git), where builds and runs go."""
    return Path.cwd() / "build"


_HEADER = re.compile(r"(?://[^\n]*\n)*")  # the comment lines rtl.export.header writes first


@dataclass(frozen=True)
class Design:
    """One generated block: its Verilog text, parameters, ports and key."""

    block: str
    arch: str | None
    overrides: dict[str, Any]
    params: dict[str, Any]
    verilog: str
    ports: list[dict[str, Any]]

    @property
    def key(self) -> str:
        """12 hex digits of the SHA-256 of the Verilog text below its header comment: the key of
        builds and placed results, equal for equal hardware (the header names the arch, its spec's
        hash and the overrides, which change when a field the hardware does not use does)."""
        body = self.verilog[_HEADER.match(self.verilog).end():]
        return hashlib.sha256(body.encode()).hexdigest()[:12]

    def port(self, name: str) -> dict[str, Any]:
        """The port table's entry for ``name``."""
        try:
            return next(p for p in self.ports if p["name"] == name)
        except StopIteration:
            raise RtlError(f"RTL block '{self.block}' has no port '{name}'") from None

    def describe(self) -> dict[str, Any]:
        return {
            "schema": "hwsim.rtl/1", "block": self.block, "module": self.block, "arch": self.arch,
            "overrides": self.overrides, "params": self.params, "design_key": self.key,
            "clock": "clk (rising edge)", "reset": "rst (synchronous, active high)", "ports": self.ports,
        }


def parse_param(item: str) -> tuple[str, Any]:
    """``key=value`` into (key, int or str or None); an int if the value parses as one."""
    if "=" not in item:
        raise RtlError(f"--param '{item}' is not of the form key=value")
    key, text = (s.strip() for s in item.split("=", 1))
    if text.lower() in ("none", ""):
        return key, None
    try:
        return key, int(text, 0)
    except ValueError:
        return key, text


def load_block_arch(block: RtlBlock, arch: str | None, overrides: Mapping[str, Any] | None) -> Any:
    """The arch spec ``block`` is built from (None for a block that needs none)."""
    if block.family is None:
        if arch is not None or overrides:
            raise RtlError(f"RTL block '{block.name}' takes no --arch or --set")
        return None
    name = arch or block.default_arch
    spec = load_arch_spec(name, dict(overrides or {}))
    if getattr(spec, "family", None) is not block.family:
        raise RtlError(f"arch '{name}' is of family '{spec.family.value}', but RTL block '{block.name}' "
                       f"needs an arch of family '{block.family.value}'")
    return spec


def resolve_params(block: RtlBlock, spec: Any, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``block``'s default parameters for ``spec`` updated with ``params`` (keys checked)."""
    full = block.default_params(spec)
    for key, value in (params or {}).items():
        if key not in full:
            raise RtlError(f"--param '{key}' is not a parameter of {block.name}; known: {', '.join(sorted(full))}")
        full[key] = value
    return full


def make_design(block_name: str, arch: str | None = None, params: Mapping[str, Any] | None = None,
                overrides: Mapping[str, Any] | None = None) -> Design:
    """Build ``block_name`` for preset/YAML ``arch`` with ``params`` and convert it to Verilog."""
    require("amaranth", "generating RTL")
    from hwsim.rtl.export import port_table, to_verilog

    block = get_block(block_name)
    spec = load_block_arch(block, arch, overrides)
    full = resolve_params(block, spec, params)
    try:
        component = block.build(spec, full)
    except (TypeError, ValueError) as exc:
        raise RtlError(f"RTL block '{block_name}' with parameters {full}: {exc}") from None
    arch_name = None if spec is None else (arch or block.default_arch)
    facts = {"arch": arch_name or "-", "overrides": _inline(overrides or {}), "parameters": _inline(full),
             "spec sha256": spec_sha256(spec)}
    text = to_verilog(component, block_name, facts)
    if block.drop_zero_memory_init:
        text = ZERO_MEMORY_INIT.sub("", text)
    return Design(block_name, arch_name, dict(overrides or {}), full, text, port_table(component))


def _inline(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items())) or "-"


def spec_sha256(spec: Any) -> str:
    """SHA-256 of the arch spec's canonical JSON (every field after overrides), or "-" without a spec."""
    if spec is None:
        return "-"
    from hwsim.spec.base import spec_data

    return hashlib.sha256(json.dumps(spec_data(spec), sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds exactly that; True if written.

    The write is atomic (temp file + rename) so parallel workers never see half a file.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.read_text() == text:
            return False
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise RtlError(f"{path}: cannot write ({exc.strerror or type(exc).__name__})") from None
    return True


def write_design(design: Design, out_dir: Path) -> tuple[Path, Path, bool]:
    """Write ``<block>.v`` and ``<block>.json`` into ``out_dir``, both or neither; returns (v, json, changed).

    A file that already holds exactly its text is left untouched (its mtime too).
    """
    from hwsim.report.atomic import OutputSet

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise RtlError(f"{out_dir}: is not a directory (--out names the folder for {design.block}.v and .json)")
    v_path = out_dir / f"{design.block}.v"
    j_path = out_dir / f"{design.block}.json"
    outputs = OutputSet()
    outputs.add(v_path, design.verilog, only_if_changed=True)
    outputs.add(j_path, json.dumps(design.describe(), indent=2) + "\n", only_if_changed=True)
    (_, changed), _ = outputs.commit()
    return v_path, j_path, changed
