"""The error tree against CONTRACT.md's exit-code table, and ``report_failure``,
the one place errors become exit codes (Ctrl-C, a closed pipe, a bug)."""

from __future__ import annotations

import inspect
import io
from pathlib import Path

import pytest

from vtctl.cli.framework import runtime
from vtctl.domain import errors
from vtctl.domain.errors import ExitCode, VtctlError
from vtctl.ui.iostreams import IOStreams
from vtctl.util import pipes

README = Path(__file__).resolve().parents[1] / "README.md"


def _error_classes() -> list[type[VtctlError]]:
    return [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
            if issubclass(cls, VtctlError) and cls.__module__ == errors.__name__]


def test_every_exit_code_has_one_meaning_in_order() -> None:
    assert list(errors.EXIT_CODES) == sorted(ExitCode)


def test_the_readme_table_is_the_one_table() -> None:
    """README's "Output and exit codes" table is the contract's, checked against EXIT_CODES."""
    lines = README.read_text().splitlines()
    start = lines.index("| code | meaning |") + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("| "):
            break
        code, meaning = (cell.strip() for cell in line.strip("|").split(" | ", 1))
        rows.append((code, meaning))
    assert rows == [(str(int(code)), m.meaning) for code, m in errors.EXIT_CODES.items()]


def test_the_root_epilog_is_generated_from_the_table() -> None:
    from vtctl.cli.framework.app import EPILOG

    for code, meaning in errors.EXIT_CODES.items():
        assert f"{int(code)} {meaning.short}" in EPILOG


#: Every error class with the exit code CONTRACT.md gives its cause and the HTTP status
#: `vtctl serve` answers it with (the guide's 403, 404 and 500; 502: Twilio could not be
#: reached; 503: tokens cannot be recorded), typed in by hand: the oracle the classes are
#: checked against. (ChecksNotRunError takes its fault's code per instance.)
CLASS_CODES: dict[str, tuple[int, int]] = {
    "VtctlError": (1, 500), "ChecksNotRunError": (1, 500),
    "UsageError": (2, 500), "NotConfirmedError": (2, 500), "ImportFileError": (2, 500),
    "ConfigError": (2, 500), "TokenFormatError": (2, 500), "NoUserGivenError": (2, 500),
    "DeclinedError": (2, 500),
    "AuthenticationError": (3, 500), "MissingCredentialsError": (3, 500),
    "KeyringUnavailableError": (3, 500), "NoKeyringError": (3, 500), "AuditKeyError": (3, 500),
    "PermissionDeniedError": (4, 403),
    "NotFoundError": (5, 404), "AppointmentNotFoundError": (5, 404),
    "NoVideoRoomError": (5, 404), "UserNotFoundError": (5, 404),
    "ServerError": (6, 500), "MalformedResponseError": (6, 500),
    "TokenGenerationError": (6, 500), "StoreError": (6, 500), "AuditWriteError": (6, 503),
    "NetworkError": (7, 502), "RequestTimeoutError": (7, 502),
    "SmokeFailedError": (8, 500), "DiagnoseProblemError": (8, 500),
    "SessionsAlertError": (8, 500),
    "AuditTrailError": (9, 500),
}

#: the API guide's error bodies (video-token-endpoint.md), word for word
GUIDE_TEXTS: dict[type[VtctlError], str] = {
    errors.PermissionDeniedError: "Permission denied",
    errors.AppointmentNotFoundError: "Appointment not found",
    errors.NoVideoRoomError: "No video room found for this appointment",
    errors.TokenGenerationError: "Failed to generate access token",
}


def test_every_error_class_has_its_contract_code_and_http_status() -> None:
    found = {cls.__name__: (int(cls.exit_code), cls.http_status) for cls in _error_classes()}
    assert found == CLASS_CODES  # a new class gets a row here


def test_the_root_epilog_sums_up_every_code_in_a_few_words() -> None:
    from vtctl.cli.framework.app import EPILOG

    assert EPILOG == (
        "Exit codes: 0 ok, 1 unexpected, 2 usage, 3 not authenticated, 4 permission denied, "
        "5 not found, 6 server error, 7 network, 8 a smoke/diagnose check failed or a "
        "sessions --alert rule matched, 9 audit trail broken (vtctl help exit-codes).")


def test_an_exit_meaning_is_a_value() -> None:
    with pytest.raises(AttributeError):
        errors.EXIT_CODES[ExitCode.OK].short = "fine"  # type: ignore[misc]


def test_the_guides_errors_say_the_guides_words_by_default() -> None:
    for cls, text in GUIDE_TEXTS.items():
        exc = cls()
        assert (exc.message, str(exc), exc.args, exc.hint) == (text, text, (text,), None), cls
    assert errors.TokenGenerationError.because(ValueError("bad key")).message == (
        "Failed to generate access token: bad key")
    no_room = errors.NoVideoRoomError.of(47)
    assert (no_room.message, no_room.hint) == (
        "No video room found for this appointment", "create one with `vtctl room create 47`")


def test_any_other_error_needs_a_message() -> None:
    needing = [cls for cls in _error_classes() if cls not in GUIDE_TEXTS
               and cls not in (errors.NoUserGivenError, errors.ChecksNotRunError)]
    assert errors.UsageError in needing and errors.NotFoundError in needing
    for cls in needing:
        with pytest.raises(TypeError, match=rf"^{cls.__name__} needs a message$"):
            cls()


def test_no_user_given_keeps_the_choices() -> None:
    exc = errors.NoUserGivenError("which user?", choices="the patient (2) or the psychologist (5)")
    assert (exc.message, exc.choices, exc.hint) == (
        "which user?", "the patient (2) or the psychologist (5)", None)


@pytest.mark.parametrize(("fault", "code"), [
    (errors.MissingCredentialsError("no Twilio credentials"), 3),
    (errors.MalformedResponseError("not the API"), 6),
    (errors.NetworkError("unreachable"), 7),
])
def test_checks_that_could_not_run_exit_with_their_faults_code(
    fault: VtctlError, code: int
) -> None:
    exc = errors.ChecksNotRunError("2 checks could not run", fault=fault, hint="h")
    assert (exc.exit_code, exc.message, exc.hint) == (code, "2 checks could not run", "h")
    assert _report(exc) == (code, "error: 2 checks could not run\nhint: h\n")


def test_every_error_class_has_a_code_of_the_table() -> None:
    assert {cls.exit_code for cls in _error_classes()} <= set(errors.EXIT_CODES)


def test_a_subclass_keeps_its_familys_exit_code_and_http_status() -> None:
    """A ``NotFoundError`` subclass is exit 5 and HTTP 404 like its family."""
    for cls in _error_classes():
        parent = cls.__mro__[1]
        if parent is not VtctlError and issubclass(parent, VtctlError):
            assert (cls.exit_code, cls.http_status) == (parent.exit_code, parent.http_status), cls


def test_error_keeps_message_and_hint() -> None:
    exc = errors.NotFoundError("no such thing", hint="try another")
    assert (exc.message, exc.hint, str(exc), exc.args) == (
        "no such thing", "try another", "no such thing", ("no such thing",)
    )
    assert errors.UsageError("bad").hint is None


def _report(exc: BaseException, debug: bool = False) -> tuple[int, str]:
    err = io.StringIO()
    code = runtime.report_failure(exc, IOStreams(out=io.StringIO(), err=err), debug)
    return code, err.getvalue()


def test_a_vtctl_error_exits_with_its_code_message_and_hint() -> None:
    code, err = _report(errors.PermissionDeniedError("Permission denied", hint="use --as 2"))
    assert (code, err) == (4, "error: Permission denied\nhint: use --as 2\n")


def test_ctrl_c_exits_130_with_one_line() -> None:
    assert _report(KeyboardInterrupt()) == (130, "error: interrupted\n")


def test_a_closed_pipe_exits_0_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """CONTRACT: a reader that leaves early is not an error: exit 0, nothing on stderr."""
    discarded: list[bool] = []
    monkeypatch.setattr(pipes, "discard_stdout", lambda: discarded.append(True))
    assert _report(BrokenPipeError()) == (0, "")
    assert discarded == [True]


def _system_exit(code: object, during: BaseException | None = None) -> SystemExit:
    exc = SystemExit(code)
    exc.__context__ = during
    return exc


@pytest.mark.parametrize(("code", "status"), [
    (0, 0), (2, 2), (9, 9), (None, 0), ("a message instead of a code", 1)])
def test_a_system_exit_keeps_its_status_as_python_would(code: object, status: int) -> None:
    """``sys.exit(None)`` is 0 and ``sys.exit("text")`` is 1, as the interpreter has it."""
    assert runtime.exit_status(_system_exit(code)) == status


def test_a_system_exit_while_the_reader_left_is_0_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Click turns a closed pipe into ``SystemExit(1)`` raised while handling EPIPE:
    CONTRACT says the reader had what it wanted (exit 0), so stdout is discarded."""
    import errno

    discarded: list[bool] = []
    monkeypatch.setattr(pipes, "discard_stdout", lambda: discarded.append(True))
    epipe = BrokenPipeError(errno.EPIPE, "Broken pipe")
    assert runtime.exit_status(_system_exit(1, during=epipe)) == 0
    assert discarded == [True]
    other = OSError(errno.EIO, "Input/output error")
    assert runtime.exit_status(_system_exit(1, during=other)) == 1
    assert discarded == [True]  # only for a closed pipe


def test_a_bug_is_unexpected_exit_1_with_a_hint_not_a_traceback() -> None:
    code, err = _report(ValueError("boom"))
    assert code == ExitCode.UNEXPECTED == 1
    assert err == ("error: internal error (a bug in vtctl): boom\n"
                   "hint: run again with --debug for the traceback, and report it\n")
    assert "ValueError" not in err  # the class is the traceback's, with --debug


def test_a_bug_without_a_message_still_says_what_it_is() -> None:
    assert _report(KeyError())[1].splitlines()[0] == "error: internal error (a bug in vtctl)"
    assert _report(ValueError("  "))[1].splitlines()[0] == "error: internal error (a bug in vtctl)"


def test_debug_shows_the_traceback_and_drops_the_hint(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise ValueError("boom")
    except ValueError as exc:
        code, err = _report(exc, debug=True)
    assert (code, err) == (1, "error: internal error (a bug in vtctl): boom\n")
    assert "Traceback" in capsys.readouterr().err


def test_debug_traceback_for_vtctl_errors_too(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise errors.UsageError("bad flag")
    except errors.UsageError as exc:
        assert _report(exc, debug=True) == (2, "error: bad flag\n")
    assert "Traceback" in capsys.readouterr().err
    assert _report(errors.UsageError("bad flag")) == (2, "error: bad flag\n")
    assert capsys.readouterr().err == ""


def test_hint_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        errors.UsageError("bad", "a hint passed by position")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["token", "47"], (["token", "47"], False)),
     (["--debug", "token", "47"], (["token", "47"], True)),
     (["token", "--debug", "47", "--debug"], (["token", "47"], True)),
     (["token", "--", "--debug"], (["token", "--", "--debug"], False)),
     (["--debug", "x", "--", "--debug"], (["x", "--", "--debug"], True)),
     (["--", "a"], (["--", "a"], False)),
     (["--debug", "token", "--as", "2", "-"], (["token", "--as", "2", "-"], True))],
)
def test_debug_anywhere_before_double_dash(args: list[str], expected: object) -> None:
    assert runtime.split_debug(args) == expected


def test_start_debug_sets_the_flag_and_logs_only_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from vtctl.util import logsetup

    enabled: list[bool] = []
    monkeypatch.setattr(logsetup, "enable_debug_logging", lambda: enabled.append(True))
    io_streams = IOStreams(out=io.StringIO(), err=io.StringIO())
    runtime.start_debug(io_streams, False)
    assert (io_streams.debug, enabled) == (False, [])
    runtime.start_debug(io_streams, True)
    assert (io_streams.debug, enabled) == (True, [True])


# -- an error's hint and its suggested command -------------------------------------

def test_a_suggestion_is_the_hint_until_the_run_adds_its_flags() -> None:
    from vtctl.domain.commands import Suggestion

    suggestion = Suggestion(("appointment", "list"), "see `{command}`")
    exc = errors.NotFoundError("no such appointment", suggests=suggestion)
    assert exc.suggests is suggestion
    assert exc.hint == "see `vtctl appointment list`"
    exc.for_backend(["--local", "--store", "/tmp/a b.sqlite3"])
    assert exc.hint == "see `vtctl appointment list --local --store '/tmp/a b.sqlite3'`"
    plain = errors.NotFoundError("no such appointment", hint="words")
    plain.for_backend(["--local"])  # no suggestion: the hint stays as given
    assert (plain.hint, plain.suggests) == ("words", None)


def test_a_hint_and_a_suggestion_cannot_both_be_given() -> None:
    from vtctl.domain.commands import Suggestion

    with pytest.raises(TypeError, match=r"^give hint= or suggests= \(whose hint it is\), "
                                        r"not both$"):
        VtctlError("x", hint="words", suggests=Suggestion(("token",), "{command}"))


def test_a_hint_set_later_wins_over_the_suggestion_and_a_suggestion_set_later_too() -> None:
    from vtctl.domain.commands import Suggestion

    exc = VtctlError("x", suggests=Suggestion(("token",), "run `{command}`"))
    exc.hint = "later words"
    assert (exc.hint, exc.suggests) == ("later words", None)
    exc.for_backend(["--local"])
    assert exc.hint == "later words"
    suggestion = Suggestion(("status", "47"), "try `{command}`")
    exc.suggest(suggestion)
    assert (exc.hint, exc.suggests) == ("try `vtctl status 47`", suggestion)
    exc.for_backend(["--local"])
    assert exc.hint == "try `vtctl status 47 --local`"


def test_a_wrapper_keeps_the_hint_and_the_suggestion() -> None:
    from vtctl.domain.commands import Suggestion

    suggestion = Suggestion(("room", "create", "48"), "create it: `{command}`")
    inner = errors.NoVideoRoomError("no room", suggests=suggestion)
    outer = errors.UsageError("cannot check").advised_as(inner)
    assert (outer.hint, outer.suggests) == ("create it: `vtctl room create 48`", suggestion)
    outer.for_backend(["--local"])
    assert outer.hint == "create it: `vtctl room create 48 --local`"


def test_the_demo_profiles_missing_credentials_say_what_to_do() -> None:
    exc = errors.MissingCredentialsError.demo("Twilio was not asked")
    assert type(exc) is errors.MissingCredentialsError and exc.message == "Twilio was not asked"
    assert exc.hint == ("set TWILIO_* credentials and use another profile (--profile NAME)")


def test_checks_that_could_not_run_keep_their_fault_and_its_code() -> None:
    fault = errors.NetworkError("cannot reach Twilio")
    exc = errors.ChecksNotRunError("2 checks could not run", fault=fault, hint="retry")
    assert (exc.fault, exc.exit_code, exc.hint) == (fault, ExitCode.NETWORK_ERROR, "retry")
