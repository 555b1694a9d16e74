"""Terminal tables without a dependency: a frozen :class:`Table` and :func:`render` to text.

The look follows rich's default table (a heavy box around the header, light lines around the
body, a light rule between sections, the title centred above and the caption below), because
that is what ``hwsim simulate`` printed before; drawing it here keeps rich's import and layout
work (a quarter of a short run's time) out of every run that prints a table.

Layout rules:

- A column is as wide as its widest line (header included); a cell may hold several lines (``\\n``).
- When the table is wider than ``width_chars``, the widest columns give up a character at a time,
  first down to their longest word (cells wrap at spaces), then below it (long words are cut),
  so a wide table wraps inside its box instead of being wrapped by the terminal.
- The title and the caption wrap to the table's width, each line centred.
- Widths count terminal cells: East Asian wide characters take two, combining marks none.
- Row styles (bold, dim) and the header's bold are drawn with ANSI codes only when asked
  (:func:`print_tables` asks when the output is a terminal and ``NO_COLOR`` is unset); otherwise
  the text is plain and the style shows only in the layout (a rule above the total row).
- A stream that cannot encode box-drawing characters gets ``+-|`` borders.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import sys
from typing import NamedTuple, TextIO

WIDTH_CHARS = 140  # the widest a printed table gets, terminal or not (what rich was given before)


class Justify(enum.Enum):
    LEFT = "left"
    RIGHT = "right"


class RowStyle(enum.Enum):
    PLAIN = "plain"
    BOLD = "bold"  # a total
    DIM = "dim"  # a row that is not a layer, e.g. "(other)"


# Cells, columns and box characters are NamedTuples: as immutable as a frozen dataclass, and a
# tenth of its cost to define (each frozen dataclass costs ~0.7 ms of a short run's import time).
class Column(NamedTuple):
    header: str
    justify: Justify = Justify.LEFT


class Row(NamedTuple):
    cells: tuple[str, ...]
    style: RowStyle = RowStyle.PLAIN


class Rule:
    """A line between two sections of rows (drawn only between rows: a leading or trailing one is dropped)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "RULE"


RULE = Rule()


@dataclasses.dataclass(frozen=True)
class Table:
    """What a table shows; :func:`render` lays it out. Every row has one cell per column (else ValueError)."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row | Rule, ...] = ()
    caption: str | None = None
    show_header: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(self.rows))
        for index, row in enumerate(self.rows):
            if isinstance(row, Row) and len(row.cells) != len(self.columns):
                raise ValueError(f"table '{self.title}': row {index} has {len(row.cells)} cells for "
                                 f"{len(self.columns)} columns")


class _Box(NamedTuple):
    """Border characters: a heavy frame around the header, light lines elsewhere."""

    head_top: str  # left, fill, join, right of the line above the header
    head_side: str  # the header's vertical line
    head_foot: str  # the line under the header
    top: str  # the line above the body when there is no header
    side: str
    rule: str
    bottom: str
    head_bottom: str  # closes a header that has no rows under it


_UNICODE_BOX = _Box("┏━┳┓", "┃", "┡━╇┩", "┌─┬┐", "│", "├─┼┤", "└─┴┘", "┗━┻┛")
_ASCII_BOX = _Box("+-++", "|", "+=++", "+-++", "|", "+-++", "+-++", "+-++")

_ANSI = {RowStyle.PLAIN: "", RowStyle.BOLD: "\x1b[1m", RowStyle.DIM: "\x1b[2m"}
_ITALIC, _RESET = "\x1b[3m", "\x1b[0m"


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes on one line."""
    if text.isascii():
        return len(text)
    import unicodedata  # only for text that needs it

    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def render(table: Table, width_chars: int = WIDTH_CHARS, *, ansi: bool = False, box_drawing: bool = True) -> str:
    """``table`` as lines of text (no trailing newline); see the module docstring for the layout."""
    box = _UNICODE_BOX if box_drawing else _ASCII_BOX
    columns = table.columns
    if not columns:
        return "\n".join(line for line in (_styled(table.title, _ITALIC, ansi), table.caption or "") if line)
    rows = _sections(table.rows)
    widths = _column_widths(table, rows, width_chars)
    total = sum(widths) + 3 * len(widths) + 1

    def border(chars: str) -> str:
        left, fill, join, right = chars
        return left + join.join(fill * (w + 2) for w in widths) + right

    def body(cells: tuple[str, ...], side: str, style: str) -> list[str]:
        wrapped = [_wrap(cell, w) for cell, w in zip(cells, widths)]
        height = max(len(lines) for lines in wrapped)
        out = []
        for i in range(height):
            parts = []
            for lines, w, col in zip(wrapped, widths, columns):
                text = lines[i] if i < len(lines) else ""
                pad = " " * (w - cell_width(text))
                text = text + pad if col.justify is Justify.LEFT else pad + text
                parts.append(f" {_styled(text, style, ansi)} ")
            out.append(side + side.join(parts) + side)
        return out

    lines = [_styled(line, _ITALIC, ansi) for line in _centred(table.title, total)]
    if table.show_header:
        lines.append(border(box.head_top))
        lines += body(tuple(c.header for c in columns), box.head_side, _ANSI[RowStyle.BOLD])
        lines.append(border(box.head_foot if rows else box.head_bottom))
    elif rows:
        lines.append(border(box.top))
    for row in rows:
        if isinstance(row, Rule):
            lines.append(border(box.rule))
        else:
            lines += body(row.cells, box.side, _ANSI[row.style])
    if rows:
        lines.append(border(box.bottom))
    if table.caption:
        lines += [_styled(line, _ANSI[RowStyle.DIM], ansi) for line in _centred(table.caption, total)]
    return "\n".join(lines)


def print_tables(*tables: Table, file: TextIO | None = None) -> None:
    """Print each table to ``file`` (stdout), styled with ANSI codes only on a terminal without ``NO_COLOR``."""
    out = sys.stdout if file is None else file
    ansi = _is_terminal(out) and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    box_drawing = _encodes(out, "┏━┃┡╇┩│├┼┤└┴┘┌┬┐┗┻┛")
    for table in tables:
        print(render(table, ansi=ansi, box_drawing=box_drawing), file=out)


def _is_terminal(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def _encodes(out: TextIO, chars: str) -> bool:
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        chars.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _styled(text: str, code: str, ansi: bool) -> str:
    return f"{code}{text}{_RESET}" if ansi and code and text else text


def _sections(rows: tuple[Row | Rule, ...]) -> list[Row | Rule]:
    """Rows with one rule at most between two rows and none at either end."""
    kept: list[Row | Rule] = []
    for row in rows:
        if isinstance(row, Rule) and (not kept or isinstance(kept[-1], Rule)):
            continue
        kept.append(row)
    while kept and isinstance(kept[-1], Rule):
        kept.pop()
    return kept


def _column_widths(table: Table, rows: list[Row | Rule], width_chars: int) -> list[int]:
    texts = [[c.header] if table.show_header else [] for c in table.columns]
    for row in rows:
        if isinstance(row, Row):
            for i, cell in enumerate(row.cells):
                texts[i].append(cell)
    lines = [[line for text in col for line in text.split("\n")] for col in texts]
    widths = [max((cell_width(line) for line in col), default=0) for col in lines]
    room = width_chars - (3 * len(widths) + 1)
    words = [max((cell_width(word) for line in col for word in line.split(" ")), default=0) for col in lines]
    _shrink(widths, [min(w, longest) for w, longest in zip(widths, words)], room)  # wrap at spaces first
    _shrink(widths, [min(w, 1) for w in widths], room)  # then cut words
    return widths


def _shrink(widths: list[int], floors: list[int], room: int) -> None:
    """Take a character at a time from the widest column above its floor until the widths fit ``room``."""
    excess = sum(widths) - room
    while excess > 0:
        candidates = [i for i, (w, f) in enumerate(zip(widths, floors)) if w > f]
        if not candidates:
            return
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1


def _wrap(text: str, width: int) -> list[str]:
    """``text``'s lines, each broken at spaces (a word wider than ``width`` cut) to fit ``width`` cells."""
    out: list[str] = []
    for line in text.split("\n"):
        if cell_width(line) <= width:
            out.append(line)
            continue
        current: str | None = None  # leading spaces survive as empty words joined by " "
        for word in line.split(" "):
            joined = word if current is None else f"{current} {word}"
            if cell_width(joined) <= width:
                current = joined
                continue
            if current is not None:
                out.append(current.rstrip())
            pieces = _cut(word, width)
            out += pieces[:-1]
            current = pieces[-1]
        if current is not None:
            out.append(current.rstrip())
    return out


def _cut(word: str, width: int) -> list[str]:
    """``word`` in pieces of at most ``width`` cells (one character at least per piece)."""
    pieces, piece = [], ""
    for ch in word:
        if piece and cell_width(piece + ch) > width:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece]


def _centred(text: str, table_chars: int) -> list[str]:
    """A title or caption: wrapped to the table's width, each line centred over it."""
    if not text:
        return []
    return [" " * ((table_chars - cell_width(line)) // 2) + line for line in _wrap(text, table_chars)]
