"""``ui.fit``: at every width, identifiers whole and words unsplit; what gives way, in order."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from rich.console import Console

from vtctl.ui.sheet import Column, CopyLine, Field, Fields, Note, Rows, Sheet, sheet

ROOM = "apt-47-1763138954-46eb915c"
JTI = "SK" + "de40" * 8 + "-1796648603"


@dataclass(frozen=True)
class Row:
    room: str
    who: str
    note: str
    jti: str


ROWS = [Row(ROOM, "Jane Doe (2)", "connected since the start of the session", JTI),
        Row("apt-49-1763300000-0a1b2c3d", "Dr. Sarah (5)", "left", JTI[:-1] + "4")]
COLUMNS: list[Column[Row]] = [
    Column("room", lambda r: r.room, key=True),
    Column("who", lambda r: r.who, drop=1),
    Column("remark", lambda r: r.note, short="rem"),
    Column("jti", lambda r: r.jti, key=True, drop=2),
]


def render(renderable: object, width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return [line.rstrip() for line in out.getvalue().splitlines()]


def whole(lines: list[str], value: str) -> bool:
    return any(value in line for line in lines)


@pytest.mark.parametrize("width", range(len(JTI) + 2, 161, 3))
def test_identifiers_whole_words_unsplit_lines_within_the_width(width: int) -> None:
    """From the width the longest identifier needs (in a block, indented) upwards."""
    lines = render(Rows(COLUMNS, ROWS, title="rooms"), width)
    assert all(len(line) <= width for line in lines), "\n".join(lines)
    for row in ROWS:
        assert whole(lines, row.room), "\n".join(lines)
        for word in row.note.split():
            assert whole(lines, word)
        # a droppable column is shown whole or not at all, never cut
        assert whole(lines, row.jti) or not any(row.jti[:8] in line for line in lines)
        assert all(whole(lines, word) for word in row.who.split()) or not any(
            word in line for line in lines for word in row.who.split())


def test_what_gives_way_in_order() -> None:
    wide = render(Rows(COLUMNS, ROWS), 200)
    assert wide[0].split() == ["room", "who", "remark", "jti"] and len(wide) == 3
    # too narrow for all: the jti (drop=2) goes before who (drop=1); rows stay one line
    lines = render(Rows(COLUMNS, ROWS), 100)
    assert lines[0].split() == ["room", "who", "remark"] and len(lines) == 3
    # narrower: prose wraps between words before a column goes, but never thinner than
    # PROSE_FLOOR: here who goes and the remark wraps
    lines = render(Rows(COLUMNS, ROWS), 70)
    assert lines[0].split() == ["room", "who", "remark"] and len(lines) > 3
    assert whole(lines, "Jane Doe (2)") and not whole(lines, "connected since the start of")
    lines = render(Rows(COLUMNS, ROWS), 60)
    assert lines[0].split() == ["room", "remark"] and len(lines) > 3
    # narrower than a room name and the longest word beside it: a block per row, all fields
    lines = render(Rows(COLUMNS, ROWS, title="rooms"), 36)
    assert lines[0] == "rooms" and lines[1].split() == ["room", ROOM]
    assert sum(line.startswith("jti") for line in lines) == 2
    assert sum(line.startswith("who") for line in lines) == 2


def test_a_short_header_comes_before_dropping_a_column() -> None:
    columns: list[Column[Row]] = [
        Column("room", lambda r: r.room, key=True),
        Column("a long header", lambda r: "x", short="h"),
        Column("who", lambda r: r.who, drop=1),
    ]
    natural = len(ROOM) + len("a long header") + len("Dr. Sarah (5)") + 4
    lines = render(Rows(columns, ROWS), natural - 5)
    assert lines[0].split() == ["room", "h", "who"]


def test_no_column_is_narrower_than_its_header_or_longest_word() -> None:
    for width in range(20, 120):
        lines = render(Rows(COLUMNS, ROWS), width)
        for header in ("room", "remark", "rem", "who", "jti"):
            assert not any(line.strip() in {header[:1], header[:2]} for line in lines)


def test_piped_lines_are_the_same_at_any_width_and_keep_every_column() -> None:
    rows = Rows(COLUMNS, ROWS, prefix="room")
    assert rows.lines() == [
        f"room\t{ROOM}\tJane Doe (2)\tconnected since the start of the session\t{JTI}",
        f"room\tapt-49-1763300000-0a1b2c3d\tDr. Sarah (5)\tleft\t{JTI[:-1]}4",
    ]


def test_a_record_is_a_table_then_a_block_when_a_value_cannot_sit_beside_its_label() -> None:
    record = Fields([Field("room", ROOM, key=True), Field("jti", JTI, key=True),
                     Field("note", "several words that wrap")], title="one")
    assert render(record, 80)[1:3] == [f"room  {ROOM}", f"jti   {JTI}"]
    narrow = render(record, 50)
    assert narrow[narrow.index("jti") + 1] == f"  {JTI}"  # below its label, whole
    assert record.lines() == [f"room\t{ROOM}", f"jti\t{JTI}", "note\tseveral words that wrap"]


def test_pipes_get_notes_and_empty_lists_on_stderr_and_the_token_as_a_field() -> None:
    from vtctl.ui.iostreams import IOStreams
    from vtctl.ui.sheet import show

    result: Sheet = sheet(Rows(COLUMNS, [], empty="no rooms"), Note("Twilio was not asked"),
                          CopyLine("access token", "eyJx.eyJy.z"))
    out, err = io.StringIO(), io.StringIO()
    show(IOStreams(out=out, err=err, force_terminal=False), result)
    assert out.getvalue() == "access token\teyJx.eyJy.z\n"
    assert err.getvalue() == "no rooms\nnote: Twilio was not asked\n"


def test_values_from_elsewhere_are_never_markup_nor_control_characters() -> None:
    rows = Rows([Column("name", lambda r: r, key=True)], ["[bold]x[/bold]\x1b[2J"])
    assert render(rows, 80)[1] == "[bold]x[/bold]?[2J"
    assert rows.lines() == ["[bold]x[/bold]?[2J"]


LONG_IDENTITY = "support-agent-with-a-very-long-identity@example.com"


@pytest.mark.parametrize("width", [30, 40, 50, len(LONG_IDENTITY) + 1])
def test_an_identifier_wider_than_the_line_is_written_whole_for_the_terminal_to_wrap(
        width: int) -> None:
    """Not folded into ``...@example.`` and ``com``: one line of its own, unindented, which
    the terminal wraps and a mouse selection takes whole (as ``vtctl mint`` prints it)."""
    record = Fields([Field("identity", LONG_IDENTITY, key=True), Field("room", ROOM, key=True),
                     Field("valid for", "900 s (15 min)")])
    rows = Rows([Column("identity", lambda r: r, key=True)], [LONG_IDENTITY, "jane@example.com"])
    for renderable in (record, rows):
        out = io.StringIO()
        # as ``ui.sheet.show`` prints it: vtctl lays out, nothing crops
        Console(file=out, width=width, color_system=None).print(renderable, crop=False)
        lines = [line.rstrip() for line in out.getvalue().splitlines()]
        assert LONG_IDENTITY in lines, "\n".join(lines)
        assert all(len(line) <= width for line in lines if line != LONG_IDENTITY)


def test_prose_with_a_word_wider_than_the_line_keeps_the_word_whole() -> None:
    """``Support Agent (11, long@email)``: the email is not folded; the value is one line,
    as a pipe prints it, for the terminal to wrap."""
    value = f"Support Agent (11, {LONG_IDENTITY})"
    record = Fields([Field("psychologist", value), Field("duration", "60 min")])
    out = io.StringIO()
    Console(file=out, width=50, color_system=None).print(record, crop=False)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert value in lines, "\n".join(lines)
