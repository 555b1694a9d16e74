"""Converting a component to Verilog text, and describing its ports.

Blocks are looked up in ``hwsim.rtlflow.blocks``; this module only converts.
"""

from __future__ import annotations

import os
import re
from typing import Any

from amaranth.back import verilog
from amaranth.lib import data, wiring


# An all-zero memory initializer as Yosys writes it: one assignment per word.
_ZERO_INIT = re.compile(r"^  initial begin\n(?:    [\w\\$.\[\]]+\[\d+\] = \d+'s?[dhb]0+;\n)+  end\n", re.MULTILINE)


def to_verilog(component: wiring.Component, name: str, *, drop_zero_memory_init: bool = False) -> str:
    """Verilog text of ``component`` as module ``name``, from Amaranth's built-in Yosys.

    ``AMARANTH_USE_YOSYS=builtin`` is forced so that a system Yosys cannot change the text.
    ``drop_zero_memory_init``: remove the initial blocks that set memories to zero (Amaranth
    always initializes memories, one line per word: 260,000 lines for a 32x32 systolic array's
    output tiles); only for blocks that never read a word they have not written.
    """
    os.environ["AMARANTH_USE_YOSYS"] = "builtin"
    text = verilog.convert(component, name=name, emit_src=False)
    return _ZERO_INIT.sub("", text) if drop_zero_memory_init else text


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
