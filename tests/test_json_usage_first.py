"""A usage error in ``--json FIELDS`` or ``--jq`` stops every command before it does anything.

The new-user review found ``vtctl token 47 --json bogus`` exit 2 with a token minted
and an audit record written: the flags were checked only when the document was
printed.  Over the real click tree, each command with ``--json`` runs with its
fixture from ``tests/test_json_contract.py`` and a bad FIELDS or jq expression:
exit 2 with the one-line error, nothing on stdout, no file under the test's
directories or HOME changed (the stores, their audit trails, the demo store), no
request to Twilio, and no connection to the API the remote commands were pointed at.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from tests.test_json_contract import FIXTURES, JSON_COMMANDS, Cli, Setup
from vtctl.domain.models import Appointment

#: pytest-httpx stands in for Twilio only; a fixture's Twilio replies go unasked here
pytestmark = pytest.mark.httpx_mock(should_mock=lambda request: request.url.host != "127.0.0.1",
                                    assert_all_responses_were_requested=False)

#: each bad flag -> what its one-line error says
BAD_FLAGS = {
    "bogus-field": (("--json", "bogus"), "unknown JSON field bogus; valid fields: "),
    "bad-jq": (("--jq", ".["), "invalid --jq expression"),
    "empty-jq": (("--jq", " "), "--jq needs a jq expression"),
}


class Trap:
    """An address that listens and never answers: a connection attempt waits in its queue."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def connected(self) -> bool:
        self.sock.setblocking(False)
        try:
            self.sock.accept()[0].close()
        except BlockingIOError:
            return False
        return True


class TrappedSetup(Setup):
    """The contract's fixtures, with the remote commands pointed at the trap."""

    trap: Trap

    def remote(self) -> list[str]:
        self.monkeypatch.setenv("VTCTL_JWT", self.server().jwt(2))
        return ["--base-url", self.trap.url]


@pytest.fixture
def trap() -> Iterator[Trap]:
    found = Trap()
    yield found
    found.sock.close()


@pytest.fixture
def setup(tmp_path: Path, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch, cli: Cli,
          request: pytest.FixtureRequest, trap: Trap) -> TrappedSetup:
    made = TrappedSetup(tmp_path, httpx_mock, monkeypatch, cli,
                        lambda: request.getfixturevalue("serve_server"))
    made.trap = trap
    return made


def files(*roots: Path) -> dict[str, str]:
    """Every file under ``roots``, with the digest of its bytes."""
    return {str(path): hashlib.sha256(path.read_bytes()).hexdigest()
            for root in roots for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("bad", sorted(BAD_FLAGS))
@pytest.mark.parametrize("path", sorted(JSON_COMMANDS), ids=" ".join)
def test_a_bad_output_flag_stops_the_command_before_it_does_anything(
        setup: TrappedSetup, isolated_env: Path, httpx_mock: HTTPXMock,
        path: tuple[str, ...], bad: str) -> None:
    made = FIXTURES[path](setup)
    args, stdin = made if isinstance(made, tuple) else (made, "")
    flags, message = BAD_FLAGS[bad]
    before = files(setup.tmp_path, isolated_env)

    result = setup.cli(*path, *args, *flags, stdin=stdin)

    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {message}"), result.stderr
    assert files(setup.tmp_path, isolated_env) == before, "a file changed"
    assert httpx_mock.get_requests() == [], "a request went to Twilio"
    assert not setup.trap.connected(), "a request went to the API"


def test_the_trap_sees_a_request(setup: TrappedSetup) -> None:
    """The check above is not blind: a command that runs connects to the trap."""
    result = setup.cli("appointment", "show", "47", *setup.remote(), "--timeout", "0.2")
    assert result.exit_code != 0
    assert setup.trap.connected()


#: a server that sends a key the guide does not name: `vtctl serve` sends none, so a mock
@pytest.mark.httpx_mock(should_mock=lambda request: True)
def test_a_field_the_remote_api_adds_is_reached_with_jq(cli: Cli, httpx_mock: HTTPXMock,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``--json FIELDS`` names the declared fields only (checked before the API is asked,
    when nobody knows what it will send); a key the API adds beyond them stays in the
    document and ``--jq`` picks it, and the unknown-field error says so."""
    url = "http://127.0.0.1:9/api/appointments/47/"
    httpx_mock.add_response(url=url, json={
        "id": 47, "patient_id": 2, "psychologist_id": 5, "duration_minutes": 60,
        "notes": "bring headphones"}, is_optional=True)
    monkeypatch.setenv("VTCTL_JWT", "unused-by-the-mock")
    remote = ("--base-url", "http://127.0.0.1:9")

    refused = cli("appointment", "show", "47", *remote, "--json", "id,notes")
    assert refused.exit_code == 2
    assert "unknown JSON field notes" in refused.stderr and "--jq" in refused.stderr
    assert httpx_mock.get_requests() == []

    picked = cli("appointment", "show", "47", *remote, "--jq", "{id, notes}")
    assert picked.exit_code == 0, picked.stderr
    assert picked.stdout.split() == ["{", '"id":', "47,", '"notes":', '"bring', 'headphones"',
                                     "}"]
    assert "notes" not in Appointment.json_fields()

