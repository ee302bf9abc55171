"""Help text as people read it: no markup eaten, no empty argument slots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Cli = Callable[..., Any]


def test_add_help_keeps_its_bracketed_defaults(vtctl: Cli) -> None:
    text = " ".join(vtctl("appointment", "add", "--help").stdout.split())
    assert "Appointment id [default: the next free id]." in text
    assert "Video room name [default: none; see `vtctl room create`]." in text
    assert "\\" not in text  # piped: the markup's escapes are not shown


@pytest.mark.parametrize("command", ["login", "twilio"])
def test_auth_usage_shows_no_empty_argument(vtctl: Cli, command: str) -> None:
    usage = next(line for line in vtctl("auth", command, "--help").stdout.splitlines()
                 if "Usage:" in line)
    assert usage.split() == ["Usage:", "vtctl", "auth", command, "[OPTIONS]"]


def test_a_token_on_the_command_line_is_still_refused_unechoed(cli: Cli) -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2lnbmF0dXJl"
    result = cli("auth", "login", token)
    assert result.exit_code == 2
    assert "never taken from the command line" in result.stderr
    assert token not in result.stderr


@pytest.mark.parametrize("args", [("--help", "token"), ("-h", "room", "list"),
                                  ("--debug", "--help", "sessions")])
def test_help_before_a_command_is_the_whole_root_help(vtctl: Cli, args: tuple[str, ...]) -> None:
    """The help option comes before the command: click shows the root's help, which
    lists every command, not only the one named after it."""
    whole = vtctl("--help").stdout
    assert "appointment" in whole and "sessions" in whole and "room" in whole
    assert vtctl(*args).stdout == whole
