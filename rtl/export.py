"""Converting a component to Verilog text, and describing its ports.

Blocks are looked up in ``hwsim.rtlflow.blocks``; this module only converts.
"""

from __future__ import annotations

import os
from typing import Any

from amaranth.back import verilog
from amaranth.lib import data, wiring


def to_verilog(component: wiring.Component, name: str) -> str:
    """Verilog text of ``component`` as module ``name``, from Amaranth's built-in Yosys.

    ``AMARANTH_USE_YOSYS=builtin`` is forced so that a system Yosys cannot change the text.
    """
    os.environ["AMARANTH_USE_YOSYS"] = "builtin"
    return verilog.convert(component, name=name, emit_src=False)


def port_table(component: wiring.Component) -> list[dict[str, Any]]:
    """Verilog ports of ``component``: name, direction, width, and struct payload fields.

    Besides these, every module has ``clk`` and ``rst`` (synchronous, active high).
    """
    ports = []
    for path, member, value in component.signature.flatten(component):
        entry: dict[str, Any] = {
            "name": "__".join(str(p) for p in path),
            "dir": "input" if member.flow == wiring.In else "output",
            "width": len(value.as_value()) if isinstance(value, data.View) else len(value),
        }
        if isinstance(value, data.View) and isinstance(value.shape(), data.StructLayout):
            entry["fields"] = {n: {"offset": f.offset, "width": f.width} for n, f in value.shape()}
        ports.append(entry)
    return ports
