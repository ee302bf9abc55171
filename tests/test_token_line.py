"""Rule 3: the token is copyable.  On a terminal ``token``, ``refresh`` and ``mint`` print
the access token whole on a line of its own, outside any box, below the other fields
(as ``gh auth token``): however narrow the terminal, vtctl inserts no line break in it
(the terminal's own wrapping keeps it one line for a mouse selection)."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime, timedelta

import jwt as pyjwt
import pytest

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.terminal import run_on_terminal

JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
BOX = re.compile(r"[─━│┃┏┓┗┛┌┐└┘╭╮╰╯]")
ROOM = "apt-47-1763138954-46eb915c"
FIELDS = ("room", "identity", "valid for", "expires at", "appointment")


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", **extra}


def _the_token_line(raw: str) -> str:
    """The one line of the terminal's bytes that holds a token, checked to be only that."""
    lines = raw.replace("\r\n", "\n").split("\n")
    found = [line for line in lines if JWT.search(line)]
    assert len(found) == 1, raw
    assert JWT.fullmatch(found[0]), f"the token shares its line: {found[0]!r}"
    return found[0]


@pytest.mark.parametrize("width", [50, 80, 120])
@pytest.mark.parametrize("command", ["token", "refresh"])
def test_token_is_whole_on_its_own_line_under_the_fields(command: str, width: int) -> None:
    screen = run_on_terminal([command, "47", "--profile", "demo"], width, _env())
    assert screen.returncode == 0, screen.stderr
    token = _the_token_line(screen.raw)
    assert len(token) > width  # longer than the terminal, and still not broken by vtctl
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert claims["grants"]["identity"] == "2-jane.doe@example.com"
    assert claims["grants"]["video"]["room"] == ROOM
    lines = screen.lines
    at = lines.index(token)
    assert at == len(lines) - 1  # the last line: nothing after it to select by mistake
    above = "\n".join(lines[:at])
    for label in FIELDS:
        assert re.search(rf"^{label}\s", above, re.M), above
    assert ROOM in above and "2-jane.doe@example.com" in above
    assert not BOX.search(screen.text)


@pytest.mark.parametrize("width", [50, 80, 120])
def test_mint_prints_its_token_the_same_way(width: int) -> None:
    env = _env(TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID, TWILIO_API_KEY=TEST_API_KEY,
               TWILIO_API_SECRET=TEST_API_SECRET)
    screen = run_on_terminal(["mint", "--identity", "alice", "--room", ROOM], width, env)
    assert screen.returncode == 0, screen.stderr
    token = _the_token_line(screen.raw)
    assert pyjwt.decode(token, TEST_API_SECRET, algorithms=["HS256"])["grants"]["identity"] == (
        "alice")
    assert screen.lines[-1] == token


def test_a_token_far_longer_than_the_terminal_gets_no_line_break() -> None:
    """In process too: rich soft-wraps at the console width unless told not to."""
    from vtctl.domain.models import VideoToken
    from vtctl.ui.iostreams import IOStreams
    from vtctl.ui.render.tokens import token_sheet
    from vtctl.ui.sheet import show

    long_token = "eyJ" + "a" * 997 + ".eyJ" + "b" * 500 + ".sig"
    token = VideoToken(long_token, ROOM, "2-jane.doe@example.com", 5400,
                       datetime.now(UTC) + timedelta(minutes=90), 47, 60, "90 minutes")
    out = io.StringIO()
    show(IOStreams(out=out, err=io.StringIO(), force_terminal=True, width=40),
         token_sheet(token))
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert text.splitlines()[-1] == long_token
    assert text.count("eyJ") == 2  # the token once (its two segments), nowhere else


def test_piped_the_token_is_the_last_field_line(cli: object) -> None:
    result = cli("token", "47", "--profile", "demo")  # type: ignore[operator]
    lines = result.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == [*FIELDS, "access token"]
    assert JWT.fullmatch(lines[-1].split("\t")[1])
