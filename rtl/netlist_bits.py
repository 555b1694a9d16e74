"""Dropping the bits of a netlist that nothing reads, so that no wire carries an unused bit.

Amaranth computes many expressions wider than they are used (a 31-bit ``1 << n`` of which 16
bits are read, a 17-bit operand of which one bit is), and Verilator's ``-Wall`` reports every
such bit as UNUSEDSIGNAL.  :func:`drop_unused_bits` works on the RTLIL text of one flat module
without processes (after ``proc``): it narrows cells whose output bits are partly unread, drops
connections into unread bits, and shrinks every internal wire to the bits that are driven or
read.  Ports are never changed, and only bits no port depends on are removed, so the module
computes the same outputs.

Cells narrowed: bitwise ones (``$and $or $xor $xnor $not $pos $mux $pmux $dff``; each output
bit depends on the same bit of the inputs) to the span of read bits, and arithmetic ones
(``$add $sub $mul $neg $shl $sshl``; an output bit depends on the same and lower input bits)
to the highest read bit.  Their operands must be at the output width already
(:func:`hwsim.rtl.netlist.explicit_widths` runs first).
"""

from __future__ import annotations

from hwsim.rtl.netlist import _CONST, _Cell, read_cell_line

__all__ = ["drop_unused_bits"]

Bit = tuple  # ("w", wire, index) or ("c", "0"|"1"|"x"|"z"|...)

_BITWISE = frozenset({"$and", "$or", "$xor", "$xnor", "$not", "$pos", "$mux", "$dff"})
_LOW = frozenset({"$add", "$sub", "$mul", "$neg", "$shl", "$sshl"})
_OUTPUTS = frozenset({"\\Y", "\\Q", "\\RD_DATA", "\\X", "\\CO"})


def _is_output(cell, port: str) -> bool:
    """Whether ``port`` of ``cell`` is driven by it (a memory read port's DATA is; a write port's is not)."""
    return port in _OUTPUTS or (port == "\\DATA" and cell.type.startswith("$memrd"))
# cells with an effect besides their outputs (memories, checks): never dropped
_KEEP = ("$mem", "$print", "$check", "$assert", "$assume", "$cover", "$scopeinfo")


def parse_sig(text: str, widths: dict[str, int]) -> list[Bit]:
    """LSB-first bits of an RTLIL sigspec (``\\w``, ``\\w [3]``, ``\\w [7:4]``, ``4'0101``, ``{ a b }``)."""
    tokens = text.replace("{", " { ").replace("}", " } ").split()
    bits, _ = _parse(tokens, 0, widths)
    return bits


def _parse(tokens: list[str], pos: int, widths: dict[str, int]) -> tuple[list[Bit], int]:
    token = tokens[pos]
    if token == "{":
        parts, pos = [], pos + 1
        while tokens[pos] != "}":
            part, pos = _parse(tokens, pos, widths)
            parts.append(part)
        return [bit for part in reversed(parts) for bit in part], pos + 1
    const = _CONST.match(token)
    if const:  # RTLIL extends a short constant with 0, or with its top bit if that is x or z
        width, text = int(const.group(1)), const.group(2)
        pad = text[0] if text[:1] in ("x", "z") else "0"
        return [("c", ch) for ch in reversed((pad * width + text)[-width:] if width else "")], pos + 1
    if token.lstrip("-").isdigit():
        value = int(token) & 0xFFFFFFFF
        return [("c", str((value >> i) & 1)) for i in range(32)], pos + 1
    pos += 1
    lo, hi = 0, widths[token] - 1
    if pos < len(tokens) and tokens[pos].startswith("["):
        ends = tokens[pos][1:-1].split(":")
        hi, lo = int(ends[0]), int(ends[-1])
        pos += 1
    return [("w", token, i) for i in range(lo, hi + 1)], pos


def emit_sig(bits: list[Bit], widths: dict[str, int]) -> str:
    """The RTLIL sigspec of LSB-first ``bits``, chunked into wire slices and constants."""
    chunks: list[list[Bit]] = []
    for bit in bits:
        last = chunks[-1][-1] if chunks else None
        if last is not None and bit[0] == last[0] == "c":
            chunks[-1].append(bit)
        elif last is not None and bit[0] == last[0] == "w" and bit[1] == last[1] and bit[2] == last[2] + 1:
            chunks[-1].append(bit)
        else:
            chunks.append([bit])
    texts = []
    for chunk in chunks:
        if chunk[0][0] == "c":
            texts.append(f"{len(chunk)}'" + "".join(b[1] for b in reversed(chunk)))
            continue
        name, lo, hi = chunk[0][1], chunk[0][2], chunk[-1][2]
        if lo == 0 and hi == widths[name] - 1:
            texts.append(name)
        else:
            texts.append(f"{name} [{hi}]" if lo == hi else f"{name} [{hi}:{lo}]")
    if not texts:
        return "{ }"
    return texts[0] if len(texts) == 1 else "{ " + " ".join(reversed(texts)) + " }"


class _Module:
    """The lines of one flat module, with wires, cells and connections parsed into bits."""

    def __init__(self, text: str):
        self.items: list = []  # str lines, ["wire", attrs, words], ["cell", _Cell], ["connect", lhs, rhs]
        self.widths: dict[str, int] = {}
        self.ports: set[str] = set()
        attrs: list[str] = []
        cell = None
        for line in text.splitlines():
            words = line.split()
            if cell is not None:
                if words[0] == "end":
                    cell.bits = {k: parse_sig(v, self.widths) for k, v in cell.connects.items()}
                    self.items.append(["cell", cell])
                    cell = None
                else:
                    read_cell_line(cell, line)
            elif line.startswith("  attribute "):
                attrs.append(line)
            elif words[:1] == ["wire"]:
                width = int(words[words.index("width") + 1]) if "width" in words else 1
                self.widths[words[-1]] = width
                if "input" in words or "output" in words or "inout" in words:
                    self.ports.add(words[-1])
                self.items.append(["wire", attrs, words])
                attrs = []
            elif words[:1] == ["cell"]:
                cell = _Cell(words[1], words[2], attrs)
                attrs = []
            elif words[:1] == ["connect"] and line.startswith("  connect"):
                lhs, rhs = _split_connect(line.split(maxsplit=1)[1])
                self.items.append(["connect", parse_sig(lhs, self.widths), parse_sig(rhs, self.widths)])
            else:
                self.items += attrs + [line]
                attrs = []

    def cells(self):
        return [item[1] for item in self.items if item[0] == "cell"]

    def connects(self):
        return [item for item in self.items if item[0] == "connect"]


def _split_connect(text: str) -> tuple[str, str]:
    """The two sigspecs of ``connect LHS RHS``: LHS is a wire (with a slice) or a ``{ }`` group."""
    tokens = text.replace("{", " { ").replace("}", " } ").split()
    depth, i = 0, 0
    while True:
        depth += tokens[i] == "{"
        depth -= tokens[i] == "}"
        i += 1
        if depth == 0 and not (i < len(tokens) and tokens[i].startswith("[")):
            break
    if i < len(tokens) and tokens[i].startswith("["):
        i += 1
    return " ".join(tokens[:i]), " ".join(tokens[i:])


def _output_port(cell) -> str | None:
    return "\\Q" if cell.type == "$dff" else "\\Y"


def _narrow(cell, lo: int, hi: int) -> bool:
    """Cut ``cell`` to output bits ``lo..hi``; False if its operands are not at the output width."""
    n = hi - lo + 1
    out = _output_port(cell)
    width = len(cell.bits[out])
    if cell.type == "$pmux":
        words = cell.bits["\\B"]
        count = len(words) // width
        cell.bits["\\B"] = [b for k in range(count) for b in words[k * width + lo:k * width + hi + 1]]
        ports = ("\\A", "\\Y")
    elif cell.type in ("$mux", "$dff"):
        ports = ("\\A", "\\B", "\\Y") if cell.type == "$mux" else ("\\D", "\\Q")
    elif cell.type in ("$not", "$pos", "$neg", "$shl", "$sshl"):
        ports = ("\\A", "\\Y")
    else:
        ports = ("\\A", "\\B", "\\Y")
    if any(len(cell.bits[p]) != width for p in ports):
        return False
    for port in ports:
        cell.bits[port] = cell.bits[port][lo:hi + 1]
    for key in ("\\WIDTH", "\\A_WIDTH", "\\B_WIDTH", "\\Y_WIDTH"):
        if key in cell.params and not (key == "\\B_WIDTH" and cell.type in ("$shl", "$sshl")):
            cell.params[key] = str(n)
    return True


def _used_bits(module: _Module) -> set:
    used = set()
    for cell in module.cells():
        for port, bits in cell.bits.items():
            if not _is_output(cell, port):
                used.update(b for b in bits if b[0] == "w")
    for _, _, rhs in module.connects():
        used.update(b for b in rhs if b[0] == "w")
    return used


def _prune_item(item: list, read) -> None:
    """Cut connection ``item`` to its read bits, or drop or narrow cell ``item`` to its read outputs."""
    if item[0] == "connect":
        keep = [i for i, bit in enumerate(item[1]) if read(bit)]
        if len(keep) < len(item[1]):
            item[1], item[2] = [item[1][i] for i in keep], [item[2][i] for i in keep]
        return
    cell = item[1]
    if cell.type.startswith(_KEEP):
        return
    outputs = [b for port, bits in cell.bits.items() if _is_output(cell, port) for b in bits]
    if outputs and not any(read(b) for b in outputs):
        item[0] = "dropped"
        return
    if not (cell.type in _BITWISE or cell.type in _LOW or cell.type == "$pmux"):
        return
    flags = [read(b) for b in cell.bits[_output_port(cell)]]
    if all(flags):
        return
    lo = 0 if cell.type in _LOW else flags.index(True)
    hi = len(flags) - 1 - flags[::-1].index(True)
    _narrow(cell, lo, hi)


def _item_bits(item: list, outputs: bool) -> list[Bit]:
    """The wire bits connection or cell ``item`` drives (``outputs``) or reads."""
    if item[0] == "connect":
        return [b for b in item[1 if outputs else 2] if b[0] == "w"]
    cell = item[1]
    return [b for port, bits in cell.bits.items() if _is_output(cell, port) == outputs for b in bits if b[0] == "w"]


def _prune(module: _Module) -> None:
    """Narrow cells and drop cells and connections into unread bits until nothing changes.

    A worklist: when an item stops reading a bit that nothing else reads, the items driving
    that bit are looked at again (one pass over the netlist, not one per chain link).
    """
    from collections import Counter

    items = [item for item in module.items if item[0] in ("cell", "connect")]
    readers: Counter = Counter()
    drivers: dict[Bit, list[int]] = {}
    for k, item in enumerate(items):
        readers.update(_item_bits(item, False))
        for bit in _item_bits(item, True):
            drivers.setdefault(bit, []).append(k)

    def read(bit: Bit) -> bool:
        return bit[0] == "w" and (bit[1] in module.ports or readers[bit] > 0)

    work = list(range(len(items)))[::-1]
    queued = set(work)
    while work:
        k = work.pop()
        queued.discard(k)
        item = items[k]
        if item[0] == "dropped":
            continue
        before = Counter(_item_bits(item, False))
        _prune_item(item, read)
        after = Counter() if item[0] == "dropped" else Counter(_item_bits(item, False))
        for bit, n in (before - after).items():
            readers[bit] -= n
            if readers[bit] <= 0 and bit[1] not in module.ports:
                for j in drivers.get(bit, ()):
                    if j not in queued:
                        queued.add(j)
                        work.append(j)
    module.items = [i for i in module.items if i[0] != "dropped" and not (i[0] == "connect" and not i[1])]


def _runs(indices: set[int]) -> list[tuple[int, int]]:
    """Contiguous (lo, hi) runs of ``indices``, in ascending order."""
    runs: list[list[int]] = []
    for i in sorted(indices):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(lo, hi) for lo, hi in runs]


def _shrink_wires(module: _Module) -> None:
    """Every internal wire cut to its driven or read bits: one wire per contiguous run (none if no bit is)."""
    touched: dict[str, set[int]] = {}
    for bits in [b for c in module.cells() for b in c.bits.values()] + [s for c in module.connects() for s in c[1:]]:
        for b in bits:
            if b[0] == "w":
                touched.setdefault(b[1], set()).add(b[2])
    names = set(module.widths)
    pieces: dict[str, list[tuple[str, int, int]]] = {}  # wire -> [(new name, lo, hi)]
    for name, width in module.widths.items():
        runs = _runs(touched.get(name, set()))
        if name in module.ports or runs == [(0, width - 1)]:
            continue
        pieces[name] = []
        for k, (lo, hi) in enumerate(runs):
            new = name
            if k:  # the run's first bit names it; a clash gets a further suffix
                new, n = f"{name}_{lo}", 2
                while new in names:
                    new, n = f"{name}_{lo}_{n}", n + 1
                names.add(new)
            pieces[name].append((new, lo, hi))
    if not pieces:
        return
    where = {(name, i): (new, i - lo) for name, runs in pieces.items() for new, lo, hi in runs
             for i in range(lo, hi + 1)}

    def move(bits: list[Bit]) -> list[Bit]:
        return [("w", *where[(b[1], b[2])]) if b[0] == "w" and b[1] in pieces else b for b in bits]

    kept = []
    for item in module.items:
        if item[0] == "wire" and item[2][-1] in pieces:
            for new, lo, hi in pieces[item[2][-1]]:
                words = [w for w in item[2][:-1]]
                if "width" in words:
                    words[words.index("width") + 1] = str(hi - lo + 1)
                module.widths[new] = hi - lo + 1
                kept.append(["wire", [_cut_init(a, lo, hi) for a in item[1]], words + [new]])
            continue
        if item[0] == "cell":
            item[1].bits = {k: move(v) for k, v in item[1].bits.items()}
        elif item[0] == "connect":
            item[1], item[2] = move(item[1]), move(item[2])
        kept.append(item)
    module.items = kept


def _cut_init(attribute: str, lo: int, hi: int) -> str:
    words = attribute.split()
    const = _CONST.match(words[-1]) if words[1] == "\\init" else None
    if not const:
        return attribute
    bits = const.group(2)[::-1][lo:hi + 1][::-1]
    return f"  attribute \\init {len(bits)}'{bits}"


UNREAD = "unused_bits"


def _gather_unread_bits(module: _Module) -> None:
    """Bits nothing reads reduced into one wire ``unused_bits``, the idiom Verilator's ``-Wall`` accepts
    (its UNUSED checks skip names matching ``*unused*``), without changing any port or result.

    They are input-port bits (a payload field another mode uses, ``rst`` of a block without
    state) and the low result bits of an arithmetic cell of which only high bits are read (they
    are computed anyway: the high bits depend on them).
    """
    used = _used_bits(module)
    wires = [item[2] for item in module.items if item[0] == "wire" and "output" not in item[2]]
    unread = [("w", w[-1], i) for w in wires for i in range(module.widths[w[-1]]) if ("w", w[-1], i) not in used]
    if not unread:
        return
    name = "\\" + UNREAD
    while name in module.widths:
        name += "_"
    cell = _Cell("$reduce_or", f"${UNREAD}$cell", [],
                 {"\\A_SIGNED": "0", "\\A_WIDTH": str(len(unread)), "\\Y_WIDTH": "1"})
    cell.bits = {"\\A": unread, "\\Y": [("w", name, 0)]}
    module.widths[name] = 1
    first_wire = next(i for i, item in enumerate(module.items) if item[0] == "wire")
    module.items.insert(first_wire, ["wire", [], ["wire", name]])
    last_cell = max((i for i, item in enumerate(module.items) if item[0] == "cell"), default=first_wire + 1)
    module.items.insert(last_cell + 1, ["cell", cell])  # inside the module, before its ``end``


def drop_unused_bits(text: str) -> str:
    """``text`` (RTLIL, one flat module after ``proc``) without bits that no port depends on.

    A module that still has processes is returned unchanged.
    """
    if "\n  process " in text:
        return text
    module = _Module(text)
    _prune(module)
    _shrink_wires(module)
    _gather_unread_bits(module)
    out: list[str] = []
    for item in module.items:
        if isinstance(item, str):
            out.append(item)
        elif item[0] == "wire":
            out += item[1] + ["  " + " ".join(item[2])]
        elif item[0] == "connect":
            out.append(f"  connect {emit_sig(item[1], module.widths)} {emit_sig(item[2], module.widths)}")
        else:
            cell = item[1]
            cell.connects = {k: emit_sig(v, module.widths) for k, v in cell.bits.items()}
            out += cell.lines()
    return "\n".join(out) + "\n"
