"""``vtctl history``'s output: the picture and timeline at any width (identifiers whole,
nothing wider than the console), one tab-separated line per event when piped, the JSON
document's shape."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from tests.history_builders import JANE, ROOM, SARAH, history, stay, token
from vtctl.domain.history import EVENT_FIELDS, HISTORY_FIELDS, SessionHistory
from vtctl.ui.render.history import SessionPicture, history_lines, history_view

MALLORY = "9-mallory@example.com"
JTI = "SK" + "0" * 32 + "-1763283300"


def story() -> SessionHistory:
    """Jane drops with a media error and rejoins; Sarah is 7 minutes late; a stranger."""
    return history(stay(JANE, 0, 14, 1, error=53405), stay(JANE, 15, 31, 2),
                   stay(JANE, 33, 52, 3), stay(SARAH, 7, 52, 4), stay(MALLORY, 20, 22, 5),
                   tokens=(token(JANE, -5, 60, JTI), token(SARAH, 6, 90, "SKsarah-1")))


def render(renderable: object, width: int) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False).print(renderable)
    return out.getvalue()


@pytest.mark.parametrize("width", [50, 80, 120])
def test_every_line_fits_and_every_identifier_is_whole(width: int) -> None:
    text = render(history_view(story()), width)
    assert max(len(line) for line in text.splitlines()) <= width
    lines = text.splitlines()
    for identifier in (JANE, SARAH, MALLORY, ROOM, "RM" + "1" * 32, JTI, f"PA{1:032x}"):
        assert any(identifier in line for line in lines), (identifier, text)


def test_the_picture_draws_each_person_the_slot_drops_and_tokens() -> None:
    rows = render(SessionPicture(story()), 100).splitlines()
    labels = [row[:14].strip() for row in rows]
    assert labels[1:7] == ["scheduled", "patient", "token", "psychologist", "token",
                           "stranger"]
    assert rows[7].startswith("█ in the room")  # the legend
    patient, psychologist = rows[2], rows[4]
    assert patient.count("✕") == 2  # the error at 09:14 and the drop at 09:31
    assert "█" in patient and "·" in patient  # in the room, and away within the slot
    assert "✕" not in psychologist
    assert psychologist.index("█") > patient.index("█")  # seven minutes late
    assert "━" in rows[1]
    assert "├" in rows[5] and "┤" not in rows[5]  # Sarah's token: minted, outlives the axis
    assert "┤" in rows[3]  # Jane's token ran out in the picture
    assert f"stranger = {MALLORY}" in rows[-1]


def test_the_picture_is_as_wide_as_the_console() -> None:
    for width in (40, 72, 140):
        rows = render(SessionPicture(story()), width).splitlines()
        assert max(len(row) for row in rows[:6]) == width or width == 40


def test_too_narrow_for_a_picture_says_so() -> None:
    text = render(SessionPicture(story()), 20)
    assert "the picture needs" in text and "█" not in text


def test_piped_one_tab_separated_line_per_event() -> None:
    result = story()
    lines = history_lines(result)
    assert len(lines) == len(result.events)
    assert all(line.count("\t") == len(EVENT_FIELDS) - 1 for line in lines)
    assert not any(ch in "".join(lines) for ch in "│┃━█\n")
    minted = lines[0].split("\t")
    assert minted[:4] == ["2025-11-16T08:55:00Z", "token-minted", JANE, "patient"]
    assert minted[4].endswith(f"jti {JTI}") and minted[5] == "-"
    left = next(line.split("\t") for line in lines if "\tleft\t" in line)
    assert "error 53405 Media connection failed or Media activity ceased" in left[4]
    assert left[5] == "RM" + "1" * 32


def test_the_json_document_has_the_contracts_shape() -> None:
    document = json.loads(json.dumps(story().to_json()))
    assert tuple(document) == HISTORY_FIELDS
    assert all(tuple(event) == EVENT_FIELDS for event in document["events"])
    assert document["appointment"]["id"] == 47
    room = document["rooms"][0]
    assert room["sid"] == "RM" + "1" * 32 and len(room["participants"]) == 5
    jane = room["participants"][0]
    assert (jane["identity"], jane["role"], jane["error_code"]) == (JANE, "patient", 53405)
    assert jane["error"] == "53405 Media connection failed or Media activity ceased"
    assert {f["check"] for f in document["findings"]} >= {"alone", "reconnects", "error",
                                                          "stranger"}
    assert all(set(f) == {"check", "status", "detail", "action"} for f in document["findings"])


def test_no_event_is_shown_without_findings_saying_nothing_stands_out() -> None:
    calm = history(stay(JANE, 0, 60), stay(SARAH, 0, 60))
    assert "Nothing stands out." in render(history_view(calm), 100)
