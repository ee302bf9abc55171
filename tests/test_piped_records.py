"""Piped, a one-record table is plain: one ``field<TAB>value`` line per row, never
wrapped (as gh prints when stdout is not a terminal); on a terminal it stays a table."""

from __future__ import annotations

import io
from typing import Any

from vtctl.cli.framework.app import run
from vtctl.ui.iostreams import IOStreams


def _fields(stdout: str) -> dict[str, str]:
    lines = stdout.splitlines()
    assert all(line.count("\t") == 1 for line in lines), stdout
    return dict(line.split("\t") for line in lines)


def test_token_piped_is_one_field_a_line_with_the_whole_jwt(cli: Any) -> None:
    result = cli("token", "47", "--profile", "demo")
    assert result.exit_code == 0, result.stderr
    fields = _fields(result.stdout)
    assert list(fields) == ["room", "identity", "valid for", "expires at", "appointment",
                            "access token"]
    assert fields["identity"] == "2-jane.doe@example.com"
    assert fields["room"].startswith("apt-47-")
    jwt = cli("token", "47", "--profile", "demo", "--raw").stdout.strip()
    assert fields["access token"].count(".") == 2 and len(fields["access token"]) > 100
    assert len(jwt) == len(fields["access token"])  # whole, not folded at 100 columns
    assert "Video token for appointment" not in result.stdout  # no table title, no borders
    assert "│" not in result.stdout and "┃" not in result.stdout


def test_token_piped_ignores_a_narrow_terminal_width(cli: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    fields = _fields(cli("token", "47", "--profile", "demo").stdout)
    assert fields["valid for"] == "1 h 30 min (5400 s)"


def test_token_on_a_terminal_is_still_a_table() -> None:
    out = io.StringIO()
    streams = IOStreams(out=out, err=io.StringIO(), stdin=io.StringIO(), force_terminal=True,
                        width=120)
    assert run(["token", "47", "--profile", "demo"], io=streams) == 0
    text = out.getvalue()
    assert "Video token for appointment 47" in text
    assert "\t" not in text and "identity" in text


def test_mint_piped_is_one_field_a_line(cli: Any, twilio_env: dict[str, str]) -> None:
    result = cli("mint", "--identity", "alice", "--room", "apt-1", "--ttl", "900")
    assert result.exit_code == 0, result.stderr
    fields = _fields(result.stdout)
    assert fields["identity"] == "alice" and fields["room"] == "apt-1"
    assert fields["valid for"] == "900 s (15 min)"
    assert fields["access token"].count(".") == 2


def test_inspect_piped_is_one_field_a_line(cli: Any) -> None:
    jwt = cli("token", "47", "--profile", "demo", "--raw").stdout.strip()
    result = cli("inspect", "--profile", "demo", "-", stdin=jwt)
    assert result.exit_code == 0, result.stderr
    fields = _fields(result.stdout)
    assert fields["identity"] == "2-jane.doe@example.com"
    assert fields["signature"].startswith("verified with the API secret")
    assert fields["status"].startswith("valid, ")
