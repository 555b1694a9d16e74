"""The dependency-free terminal table: layout, sections, wrapping, wide characters, styles."""

from __future__ import annotations

import io

import pytest

from hwsim.report.text_table import RULE, Column, Justify, Row, RowStyle, Table, cell_width, print_tables, render

NUMBERS = (Column("layer"), Column("cycles", Justify.RIGHT))


def _lines(table: Table, width_chars: int = 140, **kw) -> list[str]:
    return render(table, width_chars, **kw).split("\n")


def test_columns_are_as_wide_as_their_content_and_justified():
    table = Table("t", NUMBERS, [Row(("conv1", "8,279")), Row(("layer1.0.conv1", "40"))])
    assert _lines(table) == [
        "             t",
        "┏━━━━━━━━━━━━━━━━┳━━━━━━━━┓",
        "┃ layer          ┃ cycles ┃",
        "┡━━━━━━━━━━━━━━━━╇━━━━━━━━┩",
        "│ conv1          │  8,279 │",
        "│ layer1.0.conv1 │     40 │",
        "└────────────────┴────────┘",
    ]


def test_a_rule_separates_sections_only_between_rows():
    rows = [RULE, Row(("a", "1")), RULE, RULE, Row(("total", "1")), RULE]
    lines = _lines(Table("t", NUMBERS, rows))
    assert lines[4:] == ["│ a     │      1 │", "├───────┼────────┤", "│ total │      1 │", "└───────┴────────┘"]


def test_caption_is_centred_under_the_table_and_wraps_to_its_width():
    table = Table("t", NUMBERS, [Row(("layer1.0.conv1", "40"))], caption="(other): static power")
    lines = _lines(table)
    assert lines[-1] == "   (other): static power"  # (27 - 21) // 2 spaces
    long = Table("t", NUMBERS, [Row(("a", "1"))], caption="one two three four five six seven")
    caption = _lines(long)[-2:]
    assert caption == ["one two three four", "  five six seven"]  # the table is 18 cells wide
    assert all(cell_width(line) <= cell_width(_lines(long)[1]) for line in caption)


def test_without_a_header_the_header_does_not_set_the_width():
    table = Table("totals", (Column("a much longer metric name"), Column("value", Justify.RIGHT)),
                  [Row(("energy", "1.92 mJ")), Row(("  energy: adc", "1 uJ"))], show_header=False)
    assert _lines(table)[1:] == [
        "┌───────────────┬─────────┐",
        "│ energy        │ 1.92 mJ │",
        "│   energy: adc │    1 uJ │",
        "└───────────────┴─────────┘",
    ]


def test_a_cell_may_hold_several_lines():
    table = Table("t", (Column("layer"), Column("loops")), [Row(("conv1", "pe: P7\ndram: Q2 P4"))])
    assert _lines(table)[4:6] == ["│ conv1 │ pe: P7      │", "│       │ dram: Q2 P4 │"]


def test_a_wide_table_wraps_inside_its_box():
    words = " ".join(f"word{i}" for i in range(60))
    table = Table("a title", (Column("name"), Column("text"), Column("n", Justify.RIGHT)),
                  [Row(("layer2.0.downsample", words, "1,814")), Row(("x", "y" * 200, "1"))])
    lines = _lines(table, width_chars=80)
    assert all(cell_width(line) == 80 for line in lines[1:])  # the box is exactly as wide as allowed
    assert "layer2.0.downsample" in lines[4] and "1,814" in lines[4]  # short columns keep their words
    body = "".join(line.split("│")[2].strip() + " " for line in lines[4:] if line.startswith("│"))
    assert all(f"word{i}" in body.split() for i in range(60))  # wrapped at spaces: no word lost or cut
    assert "y" * 200 in body.replace(" ", "")  # a word longer than its column is cut, not lost


def test_wide_characters_take_two_cells_and_the_borders_stay_aligned():
    assert cell_width("ab") == 2 and cell_width("演算") == 4 and cell_width("e\u0301") == 1
    assert cell_width("latency (s) ↓") == 13
    table = Table("t", (Column("name"), Column("v", Justify.RIGHT)),
                  [Row(("演算器", "1")), Row(("café", "22")), Row(("e\u0301", "3"))])
    lines = _lines(table)
    assert len({cell_width(line) for line in lines[1:]}) == 1
    assert lines[4] == "│ 演算器 │  1 │"


def test_empty_tables():
    assert _lines(Table("t", NUMBERS)) == [
        "        t", "┏━━━━━━━┳━━━━━━━━┓", "┃ layer ┃ cycles ┃", "┗━━━━━━━┻━━━━━━━━┛"]
    assert render(Table("only a title", ())) == "only a title"
    assert render(Table("", (Column("a"),), show_header=False)) == ""


def test_a_row_with_the_wrong_number_of_cells_is_refused():
    with pytest.raises(ValueError, match=r"table 't': row 1 has 3 cells for 2 columns"):
        Table("t", NUMBERS, [Row(("a", "1")), Row(("a", "1", "2"))])


def test_styles_are_ansi_codes_only_when_asked():
    table = Table("t", NUMBERS, [Row(("(other)", "3"), RowStyle.DIM), RULE, Row(("total", "4"), RowStyle.BOLD)])
    plain = render(table)
    assert "\x1b" not in plain
    styled = render(table, ansi=True)
    assert "\x1b[1mtotal  \x1b[0m" in styled and "\x1b[2m(other)\x1b[0m" in styled and "\x1b[1mlayer  \x1b[0m" in styled
    assert styled.startswith("\x1b[3m")  # the title in italics
    assert styled.replace("\x1b[1m", "").replace("\x1b[2m", "").replace("\x1b[3m", "").replace("\x1b[0m", "") == plain


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_print_styles_a_terminal_only_and_honours_no_color(monkeypatch):
    table = Table("t", NUMBERS, [Row(("total", "4"), RowStyle.BOLD)])
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    pipe, tty = io.StringIO(), _Terminal()
    print_tables(table, table, file=pipe)
    print_tables(table, file=tty)
    assert pipe.getvalue() == 2 * (render(table) + "\n")
    assert tty.getvalue() == render(table, ansi=True) + "\n"
    monkeypatch.setenv("NO_COLOR", "1")
    quiet = _Terminal()
    print_tables(table, file=quiet)
    assert "\x1b" not in quiet.getvalue()


def test_a_stream_without_box_characters_gets_ascii_borders():
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    print_tables(Table("t", NUMBERS, [Row(("a", "1")), RULE, Row(("total", "1"))]), file=stream)
    stream.flush()
    text = stream.buffer.getvalue().decode("ascii")
    assert text.split("\n")[1:-1] == [
        "+-------+--------+", "| layer | cycles |", "+=======+========+", "| a     |      1 |",
        "+-------+--------+", "| total |      1 |", "+-------+--------+"]
