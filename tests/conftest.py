"""Shared fixtures: every test runs isolated from the user's real config,
keyring, store and Twilio credentials."""

from __future__ import annotations

import io
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

SECRET_ENV_PREFIXES = ("VTCTL_", "TWILIO_")
#: Inherited variables that would change what vtctl does (colour, TLS, shell completion).
ISOLATED_VARIABLES = (
    "NO_COLOR", "SSL_CERT_FILE", "_VTCTL_COMPLETE", "COMP_WORDS", "COMP_CWORD",
    "_TYPER_COMPLETE_ARGS", "_TYPER_COMPLETE_FISH_ACTION", "TERMINAL_WIDTH",
)

#: Test-only Twilio credentials (never the demo ones, so leaks are attributable).
TEST_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
TEST_API_KEY = "SK" + "fedcba9876543210" * 2
TEST_API_SECRET = "test-api-secret-Zq8mN3vX-0123abcd"


#: the environment the test run started with (read before any isolation), and its HOME,
#: where no fixture may write
STARTING_ENV = dict(os.environ)
REAL_HOME = STARTING_ENV.get("HOME")


@pytest.fixture(scope="session", autouse=True)
def isolated_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``isolated_env`` for the module- and session-scoped fixtures, which run before any
    test's own: a store they make keys its audit trail here, never in the user's config
    or keyring."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield isolate(tmp_path_factory.mktemp("session-home"), monkeypatch)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME/XDG tree, a file keyring inside it, no inherited secrets."""
    return isolate(tmp_path_factory.mktemp("home"), monkeypatch)


def isolate(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make ``home`` the HOME and XDG tree, with a file keyring inside it and no
    inherited secrets, until ``monkeypatch`` is undone."""
    for name in list(os.environ):
        if name.startswith(SECRET_ENV_PREFIXES) or name in ISOLATED_VARIABLES:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    # a real keyring backend, storing its file under XDG_DATA_HOME (the temp dir)
    choose_keyring(monkeypatch, "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("COLUMNS", "200")
    return home


def choose_keyring(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Choose the keyring backend ``name`` as a user does (``PYTHON_KEYRING_BACKEND``) and,
    when this process has loaded keyring already, as keyring itself would on first use
    (``keyring.set_keyring``, its public API): a test never inherits the last one's."""
    import importlib

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    if "keyring" in sys.modules:
        import keyring

        module, _, cls = name.rpartition(".")
        keyring.set_keyring(getattr(importlib.import_module(module), cls)())


@pytest.fixture
def root_logger_restored() -> Iterator[None]:
    """An in-process ``--debug`` run adds a handler to the root logger: remove it after."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def httpx_mock(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> HTTPXMock:
    """pytest-httpx's fixture, reaching the guide's API client too.

    pytest-httpx answers for ``httpx.HTTPTransport`` only, and ``RestClient``
    sends through its own deadline transport; with the mock on, it gets an
    ``httpx.HTTPTransport`` instead (the deadline transport is tested on real
    loopback sockets).
    """
    import httpx

    def plain(ssl_context: ssl.SSLContext | None) -> httpx.BaseTransport:
        return httpx.HTTPTransport(verify=ssl_context or True)

    monkeypatch.setattr("vtctl.net.transport.deadline_transport", plain)
    return httpx_mock


@pytest.fixture
def twilio_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
        "TWILIO_API_KEY": TEST_API_KEY,
        "TWILIO_API_SECRET": TEST_API_SECRET,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli() -> Iterator[object]:
    """Run vtctl in-process: ``cli("token", "47", "--json")`` -> Result."""
    from vtctl.cli.framework.app import run
    from vtctl.ui.iostreams import IOStreams

    def invoke(*args: str, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        streams = IOStreams(out=out, err=err, stdin=io.StringIO(stdin), force_terminal=False)
        code = run(list(args), io=streams)
        return Result(code, out.getvalue(), err.getvalue())

    yield invoke


def run_vtctl(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the real ``vtctl`` executable (the installed console script)."""
    exe = Path(sys.executable).with_name("vtctl")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "vtctl"]
    return subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )


@pytest.fixture
def vtctl() -> object:
    """The real executable as a subprocess: ``vtctl("token", "47")``."""
    return run_vtctl


# a real `vtctl serve` subprocess shared by the e2e tests (session scope)
from tests.serve_fixtures import serve_server  # noqa: E402, F401
