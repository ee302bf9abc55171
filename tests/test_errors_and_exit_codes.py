"""The error tree against CONTRACT.md's exit-code table, and ``report_failure``,
the one place errors become exit codes (Ctrl-C, a closed pipe, a bug)."""

from __future__ import annotations

import inspect
import io

import pytest

from vtctl.cli.framework import runtime
from vtctl.domain import errors
from vtctl.domain.errors import ExitCode, VtctlError
from vtctl.ui.iostreams import IOStreams
from vtctl.util import pipes

#: CONTRACT.md "Exit codes", typed in by hand: the oracle the enum is checked against.
CONTRACT_CODES = {
    "OK": 0, "UNEXPECTED": 1, "USAGE": 2, "NOT_AUTHENTICATED": 3, "PERMISSION_DENIED": 4,
    "NOT_FOUND": 5, "SERVER_ERROR": 6, "NETWORK_ERROR": 7, "SMOKE_FAILED": 8,
    "AUDIT_FAILED": 9,
}

#: every error class and the code CONTRACT.md gives its cause
CLASS_CODES = {
    "VtctlError": 1,
    "UsageError": 2, "ImportFileError": 2, "ConfigError": 2, "TokenFormatError": 2,
    "NoUserGivenError": 2,
    "NotConfirmedError": 2, "DeclinedError": 2,
    "AuthenticationError": 3, "MissingCredentialsError": 3, "KeyringUnavailableError": 3,
    "PermissionDeniedError": 4,
    "NotFoundError": 5, "AppointmentNotFoundError": 5, "NoVideoRoomError": 5,
    "UserNotFoundError": 5,
    "ServerError": 6, "MalformedResponseError": 6, "TokenGenerationError": 6, "StoreError": 6,
    "NetworkError": 7, "RequestTimeoutError": 7,
    "SmokeFailedError": 8, "DiagnoseProblemError": 8, "SessionsAlertError": 8,
    "AuditTrailError": 9,
}


def test_exit_codes_are_the_contracts() -> None:
    assert {code.name: int(code) for code in ExitCode} == CONTRACT_CODES


def test_every_error_class_carries_its_contract_code() -> None:
    classes = {
        name: cls for name, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, VtctlError) and cls.__module__ == errors.__name__
    }
    assert set(classes) == set(CLASS_CODES)  # a new class gets a row here
    assert {name: int(cls.exit_code) for name, cls in classes.items()} == CLASS_CODES


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


def test_a_bug_is_unexpected_exit_1_with_a_hint_not_a_traceback() -> None:
    code, err = _report(ValueError("boom"))
    assert code == ExitCode.UNEXPECTED == 1
    assert err == "error: unexpected ValueError: boom\nhint: run again with --debug for details\n"


def test_debug_shows_the_traceback_and_drops_the_hint(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise ValueError("boom")
    except ValueError as exc:
        code, err = _report(exc, debug=True)
    assert (code, err) == (1, "error: unexpected ValueError: boom\n")
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
