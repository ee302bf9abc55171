"""A command vtctl suggests (an error's hint, a ``diagnose`` action) runs where it is
suggested: on the backend in use, against the same store.  ``vtctl history 103 --local``
hinted ``vtctl room create 103``, which went to the remote backend; the hint now carries
the run's backend flags (``config.settings.paste_flags``, as ``diagnose`` and ``sessions``
build their actions), and each test below runs the command it was given."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import appointment, import_document, store_from_document
from tests.serve_fixtures import make_store, start_server
from tests.twilio_fakes import IMPORT_FILE
from vtctl.domain.commands import STORE_FLAGS, Suggestion, command_line, only
from vtctl.domain.errors import NoVideoRoomError

HINTED = re.compile(r"`(vtctl [^`]+)`")


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(store_from_document(tmp_path / "my store.sqlite3", IMPORT_FILE))


def hinted(stderr: str) -> str:
    """The one command the error's hint names."""
    hint = next(line for line in stderr.splitlines() if line.startswith("hint: "))
    (command,) = HINTED.findall(hint)
    return command


@pytest.mark.parametrize("args", [("history", "48"), ("token", "48", "--as", "3"),
                                  ("status", "48"), ("room", "participants", "48")])
def test_no_room_hints_the_room_create_of_the_same_store(
        cli: Any, twilio_env: dict[str, str], store: str, args: tuple[str, ...]) -> None:
    local = ("--local", "--store", store)
    result = cli(*args, *local)
    assert result.exit_code == 5, result.stderr
    command = hinted(result.stderr)
    assert command == f"vtctl room create 48 --local --store '{store}'"
    created = cli(*shlex.split(command)[1:])
    assert created.exit_code == 0, created.stderr
    shown = cli("appointment", "show", "48", *local)
    assert "apt-48-" in shown.stdout  # the store the first command read


def test_an_unknown_appointment_hints_the_listing_of_the_same_store(
        cli: Any, twilio_env: dict[str, str], store: str) -> None:
    result = cli("history", "999", "--local", "--store", store)
    assert result.exit_code == 5, result.stderr
    command = hinted(result.stderr)
    assert command == f"vtctl appointment list --store '{store}'"  # it takes no --local
    listed = cli(*shlex.split(command)[1:])
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.splitlines()[0].startswith("47\t")


def test_remotely_the_hint_names_the_appointment_and_the_same_server(
        vtctl: Any, tmp_path: Path) -> None:
    """The API's 404 said ``vtctl room create ID``; it names the id of the request and
    the server asked (``--base-url``), and runs there."""
    store = make_store(tmp_path / "store", import_document(appointment(48, room=None)))
    server = start_server(tmp_path, store=store)
    try:
        env = {"VTCTL_JWT": server.jwt(2)}
        result = vtctl("token", "48", "--base-url", server.url, env=env)
        assert result.returncode == 5, result.stderr
        command = hinted(result.stderr)
        assert command == f"vtctl room create 48 --base-url {server.url}"
        created = vtctl(*shlex.split(command)[1:], env=env)
        assert created.returncode == 0, created.stderr
        shown = vtctl("appointment", "show", "48", "--base-url", server.url, env=env)
        assert "apt-48-" in shown.stdout, shown.stderr  # on the server the hint came from
    finally:
        assert server.stop() == 0, server.stderr()


@pytest.mark.parametrize(("args", "suggested"), [
    (("status", "47"), "vtctl status 47 --json"), (("sessions",), "vtctl sessions --json")])
def test_watch_with_json_hints_the_polling_command_of_the_same_store(
        cli: Any, twilio_env: dict[str, str], store: str, args: tuple[str, ...],
        suggested: str) -> None:
    result = cli(*args, "--watch", "--json", "--local", "--store", store)
    assert result.exit_code == 2, result.stderr
    assert hinted(result.stderr) == f"{suggested} --local --store '{store}'"


def test_a_suggestion_takes_only_the_flags_its_command_has() -> None:
    flags = ("--local", "--profile", "work", "--store", "/s p/x.sqlite3")
    assert only(flags, STORE_FLAGS) == ("--profile", "work", "--store", "/s p/x.sqlite3")
    assert only(("--base-url", "http://x", "--profile", "w"), {"--local"}) == ()
    assert command_line(("room", "kick", "47", "a b"), ("--local",)) == (
        "vtctl room kick 47 'a b' --local")
    listing = Suggestion(("appointment", "list"), "in {x} see `{command}`", STORE_FLAGS)
    assert listing.hint(flags) == "in {x} see `vtctl appointment list --profile work " \
        "--store '/s p/x.sqlite3'`"  # braces in the rest of the hint are text
    error = NoVideoRoomError.of(7)
    assert error.hint == "create one with `vtctl room create 7`"  # the default backend
    error.for_backend(("--base-url", "http://x"))
    assert error.hint == "create one with `vtctl room create 7 --base-url http://x`"


def test_without_a_home_an_error_keeps_its_message_and_its_hint_its_store(
        monkeypatch: pytest.MonkeyPatch, cli: Any, tmp_path: Path) -> None:
    """Completing a hint's command never raises: without a home directory (no HOME, no
    password entry) the default store cannot be found, and the error of a run on an
    explicit store was lost to "could not find your home directory"."""
    from tests.test_dirs import set_home

    missing = str(tmp_path / "x" / "s.sqlite3")
    set_home(monkeypatch, None, KeyError)
    monkeypatch.delenv("XDG_DATA_HOME")
    result = cli("appointment", "show", "5", "--local", "--store", missing)
    assert result.exit_code == 2, result
    assert result.stderr.startswith(f"error: the store {missing} does not exist"), result.stderr
    assert f"--store {missing}`" in result.stderr  # the hint's command: the same store


def test_the_store_is_pasted_when_it_was_given_not_by_comparing_with_the_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests.test_dirs import set_home
    from vtctl.config.settings import BackendOptions, paste_flags, resolve_settings

    given = resolve_settings(BackendOptions(local=True, store=str(tmp_path / "s.sqlite3")), {})
    set_home(monkeypatch, None, KeyError)
    monkeypatch.delenv("XDG_DATA_HOME")
    assert paste_flags(given) == ("--local", "--store", str(tmp_path / "s.sqlite3"))


def test_the_program_name_of_a_pasted_command_is_spelled_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``command_line`` is the one builder: ``audit list``'s ``audit verify`` line is
    built with it, and both spell the program as ``util.prog`` does."""
    from vtctl.cli.audit.list import verify_line
    from vtctl.util import prog

    monkeypatch.setattr(prog, "PROG", "vt")
    assert command_line(("status", "47")) == "vt status 47"
    assert verify_line("work", "/s p/x.sqlite3") == (
        "vt audit verify --profile work --store '/s p/x.sqlite3'")


def test_serve_names_its_store_quoted_in_the_dev_jwt_command(tmp_path: Path) -> None:
    """A store path with a space, pasted from the banner, is one word."""
    import io

    from vtctl.cli.serve import ServeOptions, _banner
    from vtctl.config.settings import BackendOptions, resolve_settings
    from vtctl.ui.iostreams import IOStreams

    store = tmp_path / "my store.sqlite3"
    settings = resolve_settings(BackendOptions(local=True, store=str(store)), {})
    err = io.StringIO()
    opts = ServeOptions(IOStreams(out=io.StringIO(), err=err, force_terminal=False), settings)
    _banner(opts, "http://127.0.0.1:8000", None, "no credentials", generated=False)
    (line,) = [x for x in err.getvalue().splitlines() if "dev JWT:" in x]
    issue = line.split("dev JWT: ", 1)[1].split(" | ")[0]
    assert shlex.split(issue) == ["vtctl", "serve", "--issue-jwt", "USER", "--store", str(store)]


def test_a_hint_and_a_suggestion_are_never_both_given_nor_lost() -> None:
    """A given hint= with suggests= was dropped silently; a hint set later was overwritten
    by ``for_backend``; wrappers that copied ``hint=`` lost the suggestion."""
    from vtctl.domain.errors import ChecksNotRunError, NetworkError, UsageError
    from vtctl.domain.rooms import as_unknown_state

    create = Suggestion(("room", "create", "7"), "create one with `{command}`")
    with pytest.raises(TypeError):
        UsageError("x", hint="read this", suggests=create)
    later = UsageError("x", suggests=create)
    later.hint = "something else"
    later.for_backend(("--local",))
    assert later.hint == "something else"
    fault = UsageError("no room", suggests=create)
    wrapped = ChecksNotRunError("checks not run: no room", fault=fault).advised_as(fault)
    wrapped.for_backend(("--local",))
    assert wrapped.hint == "create one with `vtctl room create 7 --local`"
    unknown = NetworkError("Twilio could not be reached", suggests=create)
    restated = as_unknown_state(unknown)
    assert restated is not unknown and restated.suggests == create


def test_a_private_cas_bundle_is_pasted_for_the_remote_backend(tmp_path: Path) -> None:
    """A suggested command for a server behind a private CA reaches it too: without the
    bundle the pasted command would fail its TLS check."""
    from vtctl.config.settings import BackendOptions, paste_flags, resolve_settings

    pem = str(tmp_path / "ca.pem")
    remote = resolve_settings(BackendOptions(base_url="https://api.example.test",
                                             ca_bundle=pem), {})
    assert paste_flags(remote) == ("--base-url", "https://api.example.test", "--ca-bundle", pem)
    assert "--ca-bundle" not in paste_flags(resolve_settings(BackendOptions(local=True), {}))


def test_a_store_only_commands_hint_reads_the_same_store(cli: Any, store: str) -> None:
    """``appointment list --user`` reads only the store: its hint's command, pasted, lists
    the users of that store, not of the default one."""
    result = cli("appointment", "list", "--user", "nobody@example.com", "--store", store)
    assert result.exit_code == 5, result.stderr
    command = hinted(result.stderr)
    assert shlex.split(command) == ["vtctl", "appointment", "export", "--store", store]
    pasted = cli(*shlex.split(command)[1:])
    assert pasted.exit_code == 0 and "jane.doe@example.com" in pasted.stdout


def test_a_forged_trail_head_hints_verify_on_the_same_store(
        cli: Any, twilio_env: dict[str, str], store: str) -> None:
    """Minting refuses a trail whose newest record is not the one vtctl wrote: the hint's
    ``audit verify`` runs on the store the token was asked of, and finds the break."""
    from tests.helpers import tamper

    for _ in range(2):
        assert cli("token", "47", "--local", "--as", "2", "--store", store).exit_code == 0
    tamper(store, "DELETE FROM audit WHERE seq = 2")  # the newest record, gone
    refused = cli("token", "47", "--local", "--as", "2", "--store", store)
    assert refused.exit_code == 9, refused.stderr
    command = hinted(refused.stderr)
    assert shlex.split(command) == ["vtctl", "audit", "verify", "--store", store]
    verify = cli(*shlex.split(command)[1:])
    assert verify.exit_code == 9, verify.stderr


def test_appointment_adds_hint_imports_into_the_same_store(cli: Any, store: str) -> None:
    result = cli("appointment", "add", "--patient", "nobody@example.com", "--psychologist",
                 "5", "--store", store)
    assert result.exit_code == 2, result.stderr
    assert shlex.split(hinted(result.stderr)) == [
        "vtctl", "appointment", "import", "FILE", "--store", store]


def test_a_damaged_stores_hint_reimports_into_that_store(cli: Any, store: str) -> None:
    """A row vtctl cannot read (an edit behind its back): the hint's re-import names the
    damaged store, not the default one."""
    from tests.helpers import tamper

    tamper(store, "UPDATE appointments SET duration_minutes = 'soon' WHERE id = 47")
    result = cli("appointment", "show", "47", "--local", "--store", store)
    assert result.exit_code == 6, result.stderr
    assert "the store is damaged" in result.stderr
    assert shlex.split(hinted(result.stderr)) == [
        "vtctl", "appointment", "import", "FILE", "--store", store]
