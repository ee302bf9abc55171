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
