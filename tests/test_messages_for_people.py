"""Messages for people (issue 19, rule 9), beyond the walk of test_error_messages:

- "Appointment not found" and "Permission denied" carry a hint on both backends;
- an unknown room state relayed from a server says it was the server that could
  not ask Twilio (and where to look), not this machine;
- ``help man token`` on a terminal is the formatted page (``man -l -``, or plain
  text without man), never troff; piped it stays troff (a page file's content).
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from tests.helpers import make_store
from tests.serve_fixtures import RunningServer

JANE, OUTSIDER = 2, 9


# -- hints on both backends -------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(make_store(tmp_path / "store.sqlite3"))


def lines(result: Any) -> list[str]:
    text = result.stderr
    return text.splitlines()


def test_local_permission_denied_names_who_the_appointment_is_for(
    cli: Any, store: str, twilio_env: dict[str, str]
) -> None:
    result = cli("token", "47", "--as", "9", "--local", "--store", store)
    assert result.exit_code == 4
    assert lines(result) == [
        "error: Permission denied",
        "hint: 9 outsider@example.com is not in appointment 47: it is for the patient "
        "(2 jane.doe@example.com) or the psychologist (5 sarah@example.com)",
    ]


def test_local_appointment_not_found_names_the_store(cli: Any, store: str,
                                                     twilio_env: dict[str, str]) -> None:
    result = cli("token", "999", "--as", "2", "--local", "--store", store)
    assert result.exit_code == 5
    assert lines(result)[0] == "error: Appointment not found"
    assert lines(result)[1].startswith(f"hint: read the store {store} (1 appointment)")


@pytest.mark.e2e
def test_remote_permission_denied_and_not_found_have_hints(
    vtctl: Any, serve_server: RunningServer
) -> None:
    denied = vtctl("token", "47", "--base-url", serve_server.url,
                   env={"VTCTL_JWT": serve_server.jwt(OUTSIDER)})
    assert denied.returncode == 4
    assert denied.stderr.splitlines() == [
        "error: Permission denied",
        "hint: only the appointment's patient or psychologist may do this"]
    missing = vtctl("token", "999", "--base-url", serve_server.url,
                    env={"VTCTL_JWT": serve_server.jwt(JANE)})
    assert missing.returncode == 5
    host = serve_server.url.removeprefix("http://")
    assert missing.stderr.splitlines() == [
        "error: Appointment not found",
        f"hint: the server at {host} has no appointment with that id: check the id (it is "
        "the number in the session link)"]


# -- an unknown room state relayed by a server ------------------------------------------

SERVER = "http://127.0.0.1:8000"


def server_answers_unknown(httpx_mock: HTTPXMock, reason: str, message: str) -> None:
    """The server at SERVER says appointment 47's room state is unknown, for ``reason``."""
    httpx_mock.add_response(
        url=f"{SERVER}/api/appointments/video-status/47/",
        json={"appointment_id": 47, "room_name": "apt-47-1763138954-46eb915c",
              "status": "unknown", "unknown_reason": reason, "message": message})


def test_a_relayed_unknown_state_says_it_was_the_server(
    httpx_mock: HTTPXMock, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server whose words do not say so (an older vtctl serve): the message does."""
    monkeypatch.setenv("VTCTL_JWT", "a.b.c")
    server_answers_unknown(
        httpx_mock, "twilio-unreachable",
        "room state unknown: cannot reach Twilio (GET https://video.twilio.com"
        "/v1/Rooms/apt-47-1763138954-46eb915c): Connection refused")
    result = cli("status", "47", "--base-url", SERVER, "--json")
    assert result.exit_code == 7
    error, hint = lines(result)
    assert error == ("error: room state unknown: the server at 127.0.0.1:8000 could not reach "
                     "Twilio: cannot reach Twilio (GET https://video.twilio.com/v1/Rooms/"
                     "apt-47-1763138954-46eb915c): Connection refused")
    assert hint.startswith("hint: this is the server's view: the server at 127.0.0.1:8000 "
                           "asks Twilio (its log has the details)")


def test_words_of_vtctl_serve_are_kept(httpx_mock: HTTPXMock, cli: Any,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCTL_JWT", "a.b.c")
    server_answers_unknown(
        httpx_mock, "twilio-error",
        "room state unknown: Twilio answered vtctl serve with an error "
        "(reference 0a1b2c3d4e5f; the server log has the details)")
    result = cli("status", "47", "--base-url", SERVER)
    assert result.exit_code == 6
    assert lines(result)[0] == ("error: room state unknown: Twilio answered vtctl serve with an "
                                "error (reference 0a1b2c3d4e5f; the server log has the details)")


# -- help man on a terminal -------------------------------------------------------------


def on_a_terminal(*args: str, path: str) -> str:
    """Run the real vtctl with stdout on a pseudo-terminal; what the terminal shows."""
    exe = Path(sys.executable).with_name("vtctl")
    env = {**os.environ, "PATH": path, "MANPAGER": "cat", "PAGER": "cat", "COLUMNS": "100",
           "MANWIDTH": "100", "LC_ALL": "C.UTF-8"}
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([str(exe), *args], stdout=follower, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, env=env)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the other side closed: all was read
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
    finally:
        os.close(leader)
    text = b"".join(chunks).decode()
    return re.sub(r"\x1b\[[0-9;]*m|.\x08", "", text).replace("\r\n", "\n")


TROFF = re.compile(r"^\.(TH|SH|TP|PP)\b|\\f[BRI]", re.M)


def test_help_man_on_a_terminal_is_the_formatted_page() -> None:
    shown = on_a_terminal("help", "man", "token", path="/usr/bin:/bin")  # man(1) is there
    assert not TROFF.search(shown), shown[:400]
    assert "VTCTL-TOKEN(1)" in shown
    assert "vtctl-token - Get the video access token and room of an appointment." in shown


def test_help_man_without_man_is_plain_text(tmp_path: Path) -> None:
    shown = on_a_terminal("help", "man", "token", path=str(tmp_path))  # no man on PATH
    assert not TROFF.search(shown), shown[:400]
    assert shown.startswith("NAME\n       vtctl-token - Get the video access token")
    assert "\nOPTIONS\n       --as USER\n              Local backend: mint" in shown


def test_help_man_piped_is_troff_for_man_or_a_page_file(cli: Any) -> None:
    result = cli("help", "man", "token")
    assert result.exit_code == 0
    assert result.stdout.startswith('.\\" Generated')
    assert TROFF.search(result.stdout)
