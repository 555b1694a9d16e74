"""Rewriting a flattened RTLIL netlist so that Yosys' ``write_verilog`` prints plain, lint-clean Verilog.

Amaranth names hierarchy levels and struct fields with ``.`` and ``[i]`` (``core.bits``,
``i_stream__payload.clear``), which Verilog can only hold as escaped identifiers, and its
arithmetic cells leave operand widths to Verilog's context rules (a 4-bit operand of a 5-bit
sum), which Verilator's ``-Wall`` reports as WIDTHEXPAND/WIDTHTRUNC.  Two rewrites fix both
without changing what the netlist computes:

* :func:`plain_names`: every public identifier that is not a plain Verilog identifier is
  renamed (``.`` -> ``__``, ``[i]`` -> ``_i``, any other character -> ``_``, a numbered
  suffix on a clash, a trailing ``_`` on a keyword).  Ports are plain already and kept.
* :func:`explicit_widths`: every operand of an arithmetic, bitwise, shift or comparison cell
  is zero- or sign-extended (or cut, where the result's low bits do not depend on the cut
  bits) to the width the cell computes at, so the printed expression has equal widths.  A
  dynamic bit select (``$shift`` whose every shift amount stays inside the operand) becomes
  the part select ``$shiftx`` it is equal to.

The text is the one ``write_rtlil`` prints after ``proc; flatten; opt_clean``: one module,
cells as ``cell TYPE NAME`` ... ``end`` blocks of ``parameter`` and ``connect`` lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["plain_names", "explicit_widths"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_AUTO_LIKE = re.compile(r"_[0-9]+_\Z")  # the form write_verilog gives internal ($) names
_TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")|(\\\S+)')
_CONST = re.compile(r"([0-9]+)'([01xzm-]*)\Z")

# Verilog-2005 and SystemVerilog keywords a signal name could collide with
_KEYWORDS = frozenset("""
always and assign automatic begin buf bufif0 bufif1 case casex casez cell cmos config deassign default
defparam design disable edge else end endcase endconfig endfunction endgenerate endmodule endprimitive
endspecify endtable endtask event for force forever fork function generate genvar highz0 highz1 if ifnone
incdir include initial inout input instance integer join large liblist library localparam macromodule
medium module nand negedge nmos nor noshowcancelled not notif0 notif1 or output parameter pmos posedge
primitive pull0 pull1 pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg
release repeat rnmos rpmos rtran rtranif0 rtranif1 scalared showcancelled signed small specify specparam
strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg
unsigned use uwire vectored wait wand weak0 weak1 while wire wor xnor xor bit byte logic int shortint
longint string type void static const enum struct union typedef class import export final unique priority
""".split())


def _sanitize(name: str) -> str:
    """A plain Verilog identifier for the RTLIL public name ``name`` (without its backslash)."""
    text = re.sub(r"\[([0-9]+)\]", r"_\1", name).replace(".", "__")
    text = re.sub(r"[^A-Za-z0-9_]", "_", text).strip("_") or "n"
    if text[0].isdigit():
        text = "n" + text
    if text in _KEYWORDS:
        text += "_"
    return text


def _declared_names(lines: list[str]) -> list[str]:
    """Public names declared in the netlist: wires, memories, cells and processes, in order."""
    names = []
    for line in lines:
        words = line.split()
        if len(words) >= 2 and words[0] in ("wire", "memory", "process") and words[-1].startswith("\\"):
            names.append(words[-1][1:])
        elif len(words) == 3 and words[0] == "cell" and words[2].startswith("\\"):
            names.append(words[2][1:])
    return names


def plain_names(text: str) -> str:
    """``text`` (RTLIL) with every public identifier that Verilog would escape renamed to a plain one.

    Parameter and attribute names and cell types (``\\A_WIDTH``, ``\\init``, ``$add``) are plain
    already and unchanged; string values equal to a renamed identifier (a memory's ``MEMID``)
    are renamed with it.  The mapping is deterministic (declaration order).
    """
    lines = text.splitlines()
    declared = _declared_names(lines)
    taken = {n for n in declared if _PLAIN.match(n) and n not in _KEYWORDS}
    mapping: dict[str, str] = {}
    for name in declared:
        if name in taken or name in mapping:
            continue
        base = _sanitize(name)
        if _AUTO_LIKE.match(base):
            base = "n" + base
        new, k = base, 2
        while new in taken:
            new, k = f"{base}_{k}", k + 1
        taken.add(new)
        mapping[name] = new
    if not mapping:
        return text

    def swap(match: re.Match) -> str:
        string, ident = match.group(1), match.group(2)
        if ident is not None:
            new = mapping.get(ident[1:])
            return ident if new is None else "\\" + new
        inner = string[1:-1]
        if inner.startswith("\\\\") and inner[2:] in mapping:
            return f'"\\\\{mapping[inner[2:]]}"'
        return string

    out = [line if "\\" not in line else _TOKEN.sub(swap, line) for line in lines]
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")


# --- explicit widths -----------------------------------------------------------------------

# the result's low Y_WIDTH bits depend only on the operands' low Y_WIDTH bits: operands go to Y width
_LOW_BITS = frozenset({"$add", "$sub", "$mul", "$and", "$or", "$xor", "$xnor"})
_UNARY = frozenset({"$not", "$neg", "$pos"})
_SHIFT_LEFT = frozenset({"$shl", "$sshl"})
_SHIFT_RIGHT = frozenset({"$shr", "$sshr", "$shift"})
_COMPARE = frozenset({"$eq", "$ne", "$eqx", "$nex", "$lt", "$le", "$gt", "$ge"})
# every result bit depends on every operand bit: computed at max(A, B, Y) bits, as Verilog does
_DIVIDE = frozenset({"$div", "$mod", "$divfloor", "$modfloor"})


@dataclass
class _Cell:
    """One ``cell`` block: its type, parameters and connections, in their printed order."""

    type: str
    name: str
    attributes: list[str]
    params: dict[str, str] = field(default_factory=dict)
    connects: dict[str, str] = field(default_factory=dict)

    def width(self, key: str) -> int:
        return _int_param(self.params[key])

    def signed(self, key: str) -> bool:
        return _int_param(self.params.get(key, "0")) != 0

    def lines(self) -> list[str]:
        out = [*self.attributes, f"  cell {self.type} {self.name}"]
        out += [f"    parameter {v}" if k.startswith("(") else f"    parameter {k} {v}" for k, v in self.params.items()]
        out += [f"    connect {k} {v}" for k, v in self.connects.items()]
        return out + ["  end"]


def read_cell_line(cell: _Cell, line: str) -> None:
    """A ``parameter`` or ``connect`` line of ``cell``'s block, into ``cell``."""
    words = line.split(maxsplit=2)
    if words[0] == "parameter":
        if words[1] in ("signed", "real"):  # kept verbatim under a key no width lookup uses
            cell.params[f"({len(cell.params)})"] = line.strip()[len("parameter "):]
        else:
            cell.params[words[1]] = words[2]
    elif words[0] == "connect":
        cell.connects[words[1]] = words[2]
    else:  # a line this parser does not know
        raise ValueError(f"unexpected line in cell {cell.name}: {line.strip()!r}")


def _int_param(value: str) -> int:
    value = value.split()[-1]
    const = _CONST.match(value)
    return int(const.group(2), 2) if const else int(value)


class _Widths:
    """Rewrites cells of one module; new helper wires and connections are kept for the module's end."""

    def __init__(self, wire_widths: dict[str, int]):
        self.wire_widths = wire_widths
        self.new_wires: list[str] = []  # declared before the module's first cell (RTLIL wants that)
        self.new_lines: list[str] = []
        self.counter = 0

    def helper(self, width: int, sig: str) -> str:
        """A fresh internal wire driven by ``sig`` (so that its bits can be selected)."""
        self.counter += 1
        name = f"$widths${self.counter}"
        self.new_wires.append(f"  wire width {width} {name}")
        self.new_lines.append(f"  connect {name} {sig}")
        self.wire_widths[name] = width
        return name

    def reduce_bool(self, sig: str, width: int) -> str:
        """A fresh 1-bit wire driven by ``|sig`` (a new ``$reduce_bool`` cell)."""
        self.counter += 1
        name = f"$widths${self.counter}"
        self.new_wires.append(f"  wire {name}")
        self.new_lines += [f"  cell $reduce_bool {name}$cell", "    parameter \\A_SIGNED 0",
                           f"    parameter \\A_WIDTH {width}", "    parameter \\Y_WIDTH 1",
                           f"    connect \\A {sig}", f"    connect \\Y {name}", "  end"]
        self.wire_widths[name] = 1
        return name

    def resize(self, sig: str, width: int, target: int, signed: bool) -> str:
        """``sig`` (``width`` bits) extended (by its sign bit if ``signed``) or cut to ``target`` bits."""
        if width == target:
            return sig
        if width == 0:
            return f"{target}'{'0' * target}"
        const = _CONST.match(sig)
        if const and len(const.group(2)) == width:
            bits = const.group(2)
            pad = bits[0] if signed and bits else "0"
            bits = (pad * (target - width) + bits)[-target:]
            return f"{target}'{bits}"
        simple = sig if self.wire_widths.get(sig) == width else self.helper(width, sig)
        if target < width:
            return f"{simple} [{target - 1}:0]"
        if signed:
            msb = f"{simple} [{width - 1}]"
            return "{ " + " ".join([msb] * (target - width)) + f" {simple} }}"
        return f"{{ {target - width}'{'0' * (target - width)} {simple} }}"

    def fix(self, cell: _Cell) -> None:
        kind = cell.type
        if kind in _LOW_BITS:
            y = cell.width("\\Y_WIDTH")
            both = cell.signed("\\A_SIGNED") and cell.signed("\\B_SIGNED")
            self._operand(cell, "A", y, both)
            self._operand(cell, "B", y, both)
        elif kind in _UNARY or kind in _SHIFT_LEFT:
            self._operand(cell, "A", cell.width("\\Y_WIDTH"), cell.signed("\\A_SIGNED"))
        elif kind in _SHIFT_RIGHT:
            self._shift_right(cell)
        elif kind == "$logic_not" and cell.width("\\A_WIDTH") > 1:
            # !a on a vector is a == 0, which Verilog prints without a width mismatch
            cell.type = "$eq"
            a = cell.width("\\A_WIDTH")
            cell.params = {"\\A_SIGNED": "0", "\\A_WIDTH": str(a), "\\B_SIGNED": "0", "\\B_WIDTH": str(a),
                           "\\Y_WIDTH": cell.params["\\Y_WIDTH"]}
            cell.connects = {"\\A": cell.connects["\\A"], "\\B": f"{a}'{'0' * a}", "\\Y": cell.connects["\\Y"]}
        elif kind in ("$logic_and", "$logic_or"):
            for port in ("A", "B"):
                if cell.width(f"\\{port}_WIDTH") > 1:
                    cell.connects[f"\\{port}"] = self.reduce_bool(cell.connects[f"\\{port}"],
                                                                   cell.width(f"\\{port}_WIDTH"))
                    cell.params[f"\\{port}_WIDTH"] = "1"
        elif kind in _DIVIDE:
            self._divide(cell)
        elif kind in _COMPARE:
            w = max(cell.width("\\A_WIDTH"), cell.width("\\B_WIDTH"))
            both = cell.signed("\\A_SIGNED") and cell.signed("\\B_SIGNED")
            self._operand(cell, "A", w, both)
            self._operand(cell, "B", w, both)

    def _divide(self, cell: _Cell) -> None:
        """Operands and result at max(A, B, Y) bits; a narrower Y takes the low bits of a wider wire."""
        y = cell.width("\\Y_WIDTH")
        w = max(cell.width("\\A_WIDTH"), cell.width("\\B_WIDTH"), y)
        both = cell.signed("\\A_SIGNED") and cell.signed("\\B_SIGNED")
        self._operand(cell, "A", w, both)
        self._operand(cell, "B", w, both)
        if y < w:
            self.counter += 1
            name = f"$widths${self.counter}"
            self.new_wires.append(f"  wire width {w} {name}")
            result = cell.connects["\\Y"]
            self.new_lines.append(f"  connect {result} {name} [{y - 1}:0]")
            self.wire_widths[name] = w
            cell.connects["\\Y"] = name
            cell.params["\\Y_WIDTH"] = str(w)

    def _operand(self, cell: _Cell, port: str, target: int, signed: bool) -> None:
        width = cell.width(f"\\{port}_WIDTH")
        if width != target:
            cell.connects[f"\\{port}"] = self.resize(cell.connects[f"\\{port}"], width, target, signed)
            cell.params[f"\\{port}_WIDTH"] = str(target)

    def _shift_right(self, cell: _Cell) -> None:
        a, b, y = cell.width("\\A_WIDTH"), cell.width("\\B_WIDTH"), cell.width("\\Y_WIDTH")
        signed = cell.signed("\\A_SIGNED") and cell.type == "$sshr"
        if a <= y:
            self._operand(cell, "A", y, cell.signed("\\A_SIGNED"))
            return
        span = (1 << b) - 1 + y  # the bits any shift amount can select
        if cell.signed("\\B_SIGNED") or span > max(4 * a, 256):
            return
        # a window of y bits at offset b: the part select A[b +: y] of A padded with the bits
        # a right shift brings in (zeros, or the sign for an arithmetic shift)
        if span > a:
            self._operand(cell, "A", span, signed)
        cell.type = "$shiftx"
        cell.params["\\A_SIGNED"] = "0"
        index_bits = (max(a, span) - 1).bit_length()  # Verilog wants an index as wide as the vector needs
        self._operand(cell, "B", max(b, index_bits), False)


def explicit_widths(text: str) -> str:
    """``text`` (RTLIL) with every operand of arithmetic/compare/shift cells at the cell's computing width.

    Behaviour is unchanged: Yosys' cell semantics extend operands to the result width (signed
    when the cell is), which the rewrite makes explicit with concatenations.
    """
    lines = text.splitlines()
    wire_widths: dict[str, int] = {}
    for line in lines:
        words = line.split()
        if words[:1] == ["wire"]:
            width = int(words[words.index("width") + 1]) if "width" in words else 1
            wire_widths[words[-1]] = width
    fixer = _Widths(wire_widths)
    out: list[str] = []
    pending_attrs: list[str] = []
    cell: _Cell | None = None
    first_cell = -1
    for line in lines:
        words = line.split(maxsplit=2)
        if cell is not None:
            if words[0] == "end":
                fixer.fix(cell)
                out += cell.lines()
                cell = None
            else:
                read_cell_line(cell, line)
        elif words[:1] == ["attribute"] and line.startswith("  attribute"):
            pending_attrs.append(line)
        elif words[:1] == ["cell"]:
            first_cell = len(out) if first_cell < 0 else first_cell
            cell = _Cell(words[1], words[2], pending_attrs)
            pending_attrs = []
        else:
            if words[:1] == ["end"] and line == "end":  # the module's end: helper wires go before it
                out += fixer.new_lines
                out[first_cell:first_cell] = fixer.new_wires
                fixer.new_lines, fixer.new_wires, first_cell = [], [], -1
            out += pending_attrs
            pending_attrs = []
            out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
