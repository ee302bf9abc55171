"""Secrets: the user's JWT, the Twilio API secret, the serve signing secret and a
login password appear in no output and no log of any command, with ``--debug``,
on success and on failure, locally and against a real ``vtctl serve`` — except
where the user asked for the token.  No option takes a secret on argv.  Files
vtctl writes are 0600 in 0700 directories.  ``serve`` refuses forged JWTs.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt as pyjwt
import pytest

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET, run_vtctl
from tests.serve_fixtures import (
    SERVE_SECRET,
    STORE_DOCUMENT,
    TWILIO_ENV,
    RunningServer,
    clean_env,
    free_port,
    start_server,
)

PASSWORD = "pw-Hunter2-never-shown"
OTHER_SECRET = "another-secret-0123456789abcdef0123456789"


@pytest.fixture(scope="module")
def online(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A `vtctl serve` of this module's own (the sweep writes to its store)."""
    server = start_server(tmp_path_factory.mktemp("online-secrets"))
    yield server
    assert server.stop() == 0, server.stderr()


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory,
            online: RunningServer) -> Iterator[RunningServer]:
    """A second server on the same store: no Twilio credentials (status stays offline,
    no request leaves 127.0.0.1), dev login on."""
    server = start_server(tmp_path_factory.mktemp("offline-secrets"), store=online.store,
                          twilio=False, args=("--dev-login",))
    yield server
    assert server.stop() == 0, server.stderr()


@dataclass
class Run:
    name: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    stdin: str | None = None
    #: the exit codes this case may end with (success and failure paths both count)
    codes: tuple[int, ...] = (0,)
    #: secrets the user asked to see on stdout in this case
    shown: tuple[str, ...] = ()


def _expired_jwt(server: RunningServer) -> str:
    return server.jwt(2, exp=int(time.time()) - 60)


def _forged_jwt() -> str:
    now = int(time.time())
    return pyjwt.encode({"token_type": "access", "user_id": 2, "exp": now + 600, "iat": now,
                         "jti": "forged"}, OTHER_SECRET, algorithm="HS256")


def _cases(server: RunningServer, offline: RunningServer, store: Path, tmp: Path,
           user_jwt: str) -> list[Run]:
    remote = ["--base-url", server.url]
    local = ["--local", "--store", str(store)]
    as_jane = {"VTCTL_JWT": user_jwt}
    source = tmp / "import.json"
    source.write_text(json.dumps(STORE_DOCUMENT))
    bad_source = tmp / "bad.json"
    bad_source.write_text('{"users": [{"id": "x"}]}')
    minted = run_vtctl("mint", "-i", "agent", "-r", "apt-47-1-0", "--raw",
                       env={**TWILIO_ENV, "HOME": str(tmp)}).stdout.strip()
    assert minted.count(".") == 2
    twilio = dict(TWILIO_ENV)
    return [
        # remote, success and failure, against the real `vtctl serve`
        Run("token remote", ["token", "47", *remote], as_jane),
        Run("token remote json", ["token", "47", "--json", *remote], as_jane),
        Run("token remote raw", ["token", "47", "--raw", *remote], as_jane),
        Run("refresh remote", ["refresh", "47", *remote], as_jane),
        Run("appointment show remote", ["appointment", "show", "47", *remote], as_jane),
        Run("room create remote", ["room", "create", "51", *remote], as_jane),
        Run("status remote offline", ["status", "47", "--base-url", offline.url], as_jane,
            codes=(3,)),
        Run("token remote 403", ["token", "47", *remote], {"VTCTL_JWT": server.jwt(9)}, codes=(4,)),
        Run("token remote 404", ["token", "999", *remote], as_jane, codes=(5,)),
        Run("token remote expired", ["token", "47", *remote],
            {"VTCTL_JWT": _expired_jwt(server)}, codes=(3,)),
        Run("token remote forged", ["token", "47", *remote], {"VTCTL_JWT": _forged_jwt()},
            codes=(3,)),
        Run("token remote 500", ["token", "47", "--base-url", offline.url], as_jane, codes=(6,)),
        Run("token refused port", ["token", "47", "--base-url", f"http://127.0.0.1:{free_port()}",
                                   "--timeout", "2"], as_jane, codes=(7,)),
        Run("smoke", ["smoke", "47", "--patient-jwt-env", "P", "--psychologist-jwt-env", "S",
                      "--outsider-jwt-env", "O", *remote],
            {"P": user_jwt, "S": server.jwt(5), "O": server.jwt(9)}),
        Run("smoke failing", ["smoke", "47", "--patient-jwt-env", "P", "--psychologist-jwt-env",
                              "S", "--base-url", offline.url],
            {"P": user_jwt, "S": server.jwt(5)}, codes=(6,)),  # no token: no check ran
        # local engine
        Run("token local", ["token", "47", "--as", "2", *local], twilio),
        Run("refresh local json", ["refresh", "47", "--as", "5", "--json", *local], twilio),
        Run("token local 403", ["token", "47", "--as", "9", *local], twilio, codes=(4,)),
        Run("token local no credentials", ["token", "47", "--as", "2", *local], codes=(3,)),
        Run("room create local", ["room", "create", "48", *local], twilio),
        Run("appointment show local", ["appointment", "show", "47", *local]),
        Run("appointment list", ["appointment", "list", "--store", str(store)]),
        Run("appointment add", ["appointment", "add", "--patient", "2", "--psychologist", "5",
                                "--store", str(store)]),
        Run("appointment import", ["appointment", "import", str(source), "--store", str(store)]),
        Run("appointment import bad", ["appointment", "import", str(bad_source),
                                       "--store", str(store)], codes=(2,)),
        Run("mint", ["mint", "-i", "agent", "-r", "apt-47-1-0"], twilio),
        Run("mint json", ["mint", "-i", "agent", "-r", "apt-47-1-0", "--json"], twilio),
        Run("mint bad secret", ["mint", "-i", "a", "-r", "b"],
            {**twilio, "TWILIO_API_KEY": "SKnot-a-sid"}, codes=(2,)),
        Run("inspect verified", ["inspect", minted, "--verify"], twilio),
        Run("inspect stdin", ["inspect", "-", "--json"], twilio, stdin=minted),
        Run("inspect wrong secret", ["inspect", minted, "--verify"],
            {**twilio, "TWILIO_API_SECRET": OTHER_SECRET}, codes=(3,)),
        Run("inspect malformed", ["inspect", "a.b.c"], twilio, codes=(2,)),
        Run("config show", ["config", "show"], as_jane),
        Run("config set", ["config", "set", "base_url", server.url, "--profile", "sweep"]),
        Run("config set refuses a token", ["config", "set", "base_url", user_jwt], codes=(2,)),
        Run("serve --issue-jwt", ["serve", "--issue-jwt", "2", "--store", str(store)],
            {"VTCTL_SERVE_SECRET": SERVE_SECRET}),
        Run("serve --issue-jwt unknown", ["serve", "--issue-jwt", "77", "--store", str(store)],
            {"VTCTL_SERVE_SECRET": SERVE_SECRET}, codes=(5,)),
        Run("serve busy port", ["serve", "--port", server.url.rsplit(":", 1)[1],
                                "--store", str(store)],
            {"VTCTL_SERVE_SECRET": SERVE_SECRET, **twilio}, codes=(2,)),
    ]


def _leaks(text: str, secrets: dict[str, str], shown: tuple[str, ...]) -> list[str]:
    return [name for name, value in secrets.items() if value in text and value not in shown]


def test_every_command_with_debug_leaks_no_secret(
    online: RunningServer, offline: RunningServer, tmp_path: Path,
) -> None:
    """~40 real-process runs (8 at a time), each with --debug."""
    from tests.serve_fixtures import make_store

    store = make_store(tmp_path / "home")  # in the runs' HOME: its keyring holds the trail key
    user_jwt = online.jwt(2)
    secrets = {"user JWT": user_jwt, "Twilio API secret": TEST_API_SECRET,
               "serve secret": SERVE_SECRET, "other secret": OTHER_SECRET}
    cases = _cases(online, offline, store, tmp_path, user_jwt)
    home = tmp_path / "home"

    def run(case: Run) -> tuple[Run, Any]:
        env = {**clean_env(home), "VTCTL_CONFIG": str(tmp_path / "config.toml"), **case.env}
        return case, run_vtctl("--debug", *case.args, stdin=case.stdin, env=env)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, cases))
    problems = []
    for case, result in results:
        if result.returncode not in case.codes:
            problems.append(f"{case.name}: exit {result.returncode}\n{result.stderr[-800:]}")
        if "debug:" not in result.stderr and result.returncode == 0 and case.name.endswith(
                "remote"):
            problems.append(f"{case.name}: --debug logged nothing")
        for where, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            if leaked := _leaks(text, secrets, case.shown):
                problems.append(f"{case.name}: {', '.join(leaked)} on {where}")
    for server in (online, offline):
        if leaked := _leaks(server.stderr(), secrets, ()):
            problems.append(f"serve log {server.url}: {', '.join(leaked)}")
    assert not problems, "\n".join(problems)
    by_name = {case.name: result for case, result in results}
    issued = by_name["serve --issue-jwt"].stdout.strip()  # the one output that is a user JWT
    assert pyjwt.decode(issued, SERVE_SECRET, algorithms=["HS256"])["user_id"] == 2
    assert "debug: vtctl.remote.client: GET" in by_name["token remote"].stderr  # --debug was on


def test_auth_commands_show_the_jwt_only_when_asked(
    vtctl: Callable[..., Any], offline: RunningServer, tmp_path: Path,
) -> None:
    """login (stdin and password), status, token, logout, twilio; with --debug, one HOME."""
    home = tmp_path / "home"
    env = clean_env(home)
    user_jwt = offline.jwt(2)
    secrets = {"user JWT": user_jwt, "password": PASSWORD, "Twilio API secret": TEST_API_SECRET}

    def run(*args: str, stdin: str | None = None, code: int = 0) -> Any:
        result = vtctl("--debug", *args, stdin=stdin, env=env)
        assert result.returncode == code, result.stderr
        return result

    outputs = [
        run("auth", "login", "--with-token", "--base-url", offline.url, stdin=user_jwt + "\n"),
        run("auth", "status", "--json"),
        run("auth", "login", "--with-token", stdin="not-a-jwt\n", code=2),
        run("auth", "login", "--username", "2", "--base-url", offline.url, stdin=PASSWORD + "\n"),
        run("auth", "status"),
        run("auth", "login", "--username", "ghost", "--base-url", offline.url,
            stdin=PASSWORD + "\n", code=3),
        run("auth", "twilio", "--account-sid", TEST_ACCOUNT_SID, "--api-key", TEST_API_KEY,
            stdin=TEST_API_SECRET + "\n"),
        run("mint", "-i", "a", "-r", "b", "--json"),  # signs with the keyring's secret
        run("auth", "logout"),
        run("auth", "token", code=3),
    ]
    for result in outputs:
        assert not _leaks(result.stdout + result.stderr, secrets, ()), result.args
    run("auth", "login", "--with-token", stdin=user_jwt + "\n")
    token = run("auth", "token")
    assert token.stdout == user_jwt + "\n"  # asked for: exactly the token, on stdout
    assert user_jwt not in token.stderr
    keyring_file = next(home.rglob("keyring_pass.cfg"))  # keyrings.alt's, not ours
    assert PASSWORD not in keyring_file.read_text()  # the password is never stored


@pytest.mark.usefixtures("root_logger_restored")
def test_status_local_with_debug_leaks_no_secret(
    cli: Any, httpx_mock: Any, twilio_env: dict[str, str], tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The Twilio REST calls (mocked: nothing leaves the test) with Basic auth, --debug."""
    from tests.helpers import appointment, make_store

    store = make_store(tmp_path / "s.sqlite3", appointment(47))
    httpx_mock.add_response(status_code=401, json={"message": f"bad key {TEST_API_KEY}"},
                            is_reusable=True)
    result = cli("--debug", "status", "47", "--local", "--store", str(store))
    captured = capfd.readouterr()
    assert result.exit_code == 3, result.stderr
    for text in (result.stdout, result.stderr, captured.out, captured.err):
        assert TEST_API_SECRET not in text
    basic = base64.b64encode(f"{TEST_API_KEY}:{TEST_API_SECRET}".encode()).decode()
    assert all(r.headers["authorization"] == f"Basic {basic}" for r in httpx_mock.get_requests())
    assert basic not in captured.err + result.stderr


# -- no secret on argv ------------------------------------------------------------------

SECRET_WORDS = ("secret", "password", "passwd", "jwt", "token", "key", "credential")
#: options whose names sound secret but take none (checked below for why)
SAFE_OPTIONS = {
    "--with-token": "flag",          # auth login: read the JWT from stdin
    "--issue-jwt": "USER",           # serve: a user id or email, prints a JWT
    "--jwt-minutes": "MIN",          # serve: lifetime
    "--patient-jwt-env": "VAR",      # smoke: the NAME of a variable holding the JWT
    "--psychologist-jwt-env": "VAR",
    "--outsider-jwt-env": "VAR",
    "--api-key": "SK...",            # auth twilio: the key SID (public), the secret is stdin
    "--token": "-",                  # diagnose: only - (stdin); any other value refused unechoed
}
#: positional arguments allowed to carry a token: `inspect JWT` (CONTRACT.md; `-` reads
#: stdin), and the hidden catch-alls that refuse a secret typed on argv
SAFE_ARGUMENTS = {("inspect", "token"), ("auth login", "stray"), ("auth twilio", "stray"),
                  ("config set", "key"), ("config unset", "key")}  # a setting's name


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    yield " ".join(path), command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _walk(sub, (*path, name))


def test_no_option_takes_a_secret_on_argv() -> None:
    import typer

    from vtctl.cli.framework.app import app

    root = typer.main.get_command(app)
    seen: set[str] = set()
    checked = 0
    for path, command in _walk(root):
        for param in command.params:
            checked += 1
            names = [*param.opts, *getattr(param, "secondary_opts", [])]
            if param.param_type_name == "argument":
                if any(w in param.name.lower() for w in SECRET_WORDS):
                    assert (path, param.name) in SAFE_ARGUMENTS, (path, param.name)
                continue
            for name in names:
                if not any(w in name.lower() for w in SECRET_WORDS):
                    continue
                assert name in SAFE_OPTIONS, f"{path} {name} looks like a secret on argv"
                seen.add(name)
                kind = SAFE_OPTIONS[name]
                if kind == "flag":
                    assert param.is_flag
                else:
                    assert param.metavar == kind, (name, param.metavar)
    assert checked > 100  # the walk really went through every command
    assert seen == set(SAFE_OPTIONS)


def test_stray_secrets_on_argv_are_refused_unechoed(cli: Any) -> None:
    token = pyjwt.encode({"user_id": 2}, OTHER_SECRET, algorithm="HS256")
    for args in (["auth", "login", token], ["auth", "twilio", "--account-sid", TEST_ACCOUNT_SID,
                                            "--api-key", TEST_API_KEY, TEST_API_SECRET],
                 ["token", "47", token], ["config", "set", "base_url", token]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert token not in result.stderr and TEST_API_SECRET not in result.stderr


#: a real API secret's shape: 32 letters and digits, nothing like an SK... SID
PASTED_SECRET = "Zq8mN3vXa7b6c5d4e3f2g1h0i9j8k7l6"


@pytest.mark.parametrize("variable", ["TWILIO_API_KEY", "TWILIO_ACCOUNT_SID"])
def test_a_secret_pasted_into_a_sid_variable_is_not_echoed(
        cli: Any, twilio_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        variable: str) -> None:
    monkeypatch.setenv(variable, PASTED_SECRET)
    result = cli("mint", "-i", "agent", "-r", "apt-47-1-0", "--debug")
    assert result.exit_code == 2, result.stderr
    assert "is not valid: it should be" in result.stderr
    assert "32 characters long" in result.stderr
    assert PASTED_SECRET not in result.stderr and PASTED_SECRET[:8] not in result.stderr


def test_auth_twilio_never_echoes_a_secret_given_as_the_api_key(cli: Any) -> None:
    result = cli("auth", "twilio", "--account-sid", TEST_ACCOUNT_SID, "--api-key",
                 PASTED_SECRET, stdin=TEST_API_SECRET + "\n")
    assert result.exit_code == 2
    assert "is it the API secret?" in result.stderr
    assert PASTED_SECRET not in result.stderr and TEST_API_SECRET not in result.stderr


SECRET_ENV = {
    "VTCTL_JWT": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoyfQ.c2lnbmF0dXJlLXNlY3JldA",
    "TWILIO_API_SECRET": "twilio-secret-Qm4vX8zL0pR2",
    "VTCTL_SERVE_SECRET": "serve-secret-Wk7nB3dF9sH1",
    "GITHUB_TOKEN": "ghp_notarealtoken0123456789",
    "DATABASE_URL": "postgres://app:db-password-Xy9@db.internal/app",
    "SOME_JWT_LOOKING_VALUE": "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.sig",
}


@pytest.mark.parametrize("program", ["$ENV", "env", "[$ENV[]] | join(\" \")",
                                     "$ENV | to_entries | map(.value)"])
def test_jq_cannot_read_secrets_from_the_environment(
        cli: Any, monkeypatch: pytest.MonkeyPatch, program: str) -> None:
    for name, value in SECRET_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("VTCTL_TEST_HARMLESS", "x")  # vtctl's own: hidden too
    monkeypatch.setenv("DEPLOY_REGION", "eu-west-1")  # an ordinary variable stays readable
    result = cli("appointment", "list", "--profile", "demo", "--jq", program)
    assert result.exit_code == 0, result.stderr
    for value in SECRET_ENV.values():
        assert value not in result.stdout + result.stderr
    assert "eu-west-1" in result.stdout
    assert os.environ["TWILIO_API_SECRET"] == SECRET_ENV["TWILIO_API_SECRET"]  # put back


# -- private files ------------------------------------------------------------------------


def test_files_vtctl_writes_are_private(vtctl: Callable[..., Any], tmp_path: Path,
                                        online: RunningServer) -> None:
    home = tmp_path / "home"
    env = {**clean_env(home), **TWILIO_ENV}
    source = tmp_path / "import.json"
    source.write_text(json.dumps(STORE_DOCUMENT))
    for args in (["config", "set", "base_url", online.url, "--profile", "p"],
                 ["config", "use", "p"],
                 ["appointment", "import", str(source)],   # the default store
                 ["room", "create", "48", "--local"],      # a write: WAL and shm files
                 ["token", "47", "--profile", "demo"],     # the demo store
                 ["appointment", "import", str(source), "--store",
                  str(tmp_path / "new" / "dir" / "s.sqlite3")]):
        result = vtctl(*args, env=env)
        assert result.returncode == 0, (args, result.stderr)
    ours = [home / "config" / "vtctl", home / "data" / "vtctl", tmp_path / "new" / "dir"]
    files = 0
    for top in ours:
        assert stat.S_IMODE(top.stat().st_mode) == 0o700, top
        for path in top.rglob("*"):
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
            files += not path.is_dir()
    assert files >= 4  # config.toml, store.sqlite3, demo.sqlite3, s.sqlite3 (+ WAL files)


# -- serve refuses forged and odd JWTs ---------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signed(secret: str = SERVE_SECRET, **claims: Any) -> str:
    now = int(time.time())
    payload = {"token_type": "access", "user_id": 2, "exp": now + 600, "iat": now, "jti": "j",
               **claims}
    return pyjwt.encode({k: v for k, v in payload.items() if v is not None}, secret,
                        algorithm="HS256")


def _raw_signed(payload: bytes) -> str:
    """A correctly signed token whose payload JSON is written by hand (NaN, Infinity)."""
    import hashlib
    import hmac

    head = _b64(b'{"alg":"HS256","typ":"JWT"}') + "." + _b64(payload)
    signature = hmac.new(SERVE_SECRET.encode(), head.encode(), hashlib.sha256).digest()
    return head + "." + _b64(signature)


def _now() -> int:
    """Read when a token is made, in the test: a time taken at import would age while a
    slow suite runs, and a token "not yet valid" for 10 minutes would become valid."""
    return int(time.time())


#: the times are a day away from the test's now: no run is that slow
FORGED = {
    "another secret": lambda: _signed(OTHER_SECRET),
    "alg none": lambda: pyjwt.encode({"token_type": "access", "user_id": 2,
                                      "exp": _now() + 600, "iat": _now(), "jti": "j"},
                                     None, algorithm="none"),
    "expired": lambda: _signed(exp=_now() - 86_400),
    "not yet valid": lambda: _signed(nbf=_now() + 86_400),
    "issued in the future": lambda: _signed(iat=_now() + 86_400),
    "no user_id": lambda: _signed(user_id=None),
    "user_id 0": lambda: _signed(user_id=0),
    "user_id true": lambda: _signed(user_id=True),
    "user_id 2**80": lambda: _signed(user_id=2**80),
    "user_id 5000 digits": lambda: _signed(user_id="9" * 5000),
    "refresh token": lambda: _signed(token_type="refresh"),
    "no exp": lambda: _signed(exp=None),
    "exp NaN": lambda: _raw_signed(
        f'{{"token_type":"access","user_id":2,"exp":NaN,"iat":{_now()},"jti":"j"}}'.encode()),
    "exp Infinity": lambda: _raw_signed(
        f'{{"token_type":"access","user_id":2,"exp":Infinity,"iat":{_now()},"jti":"j"}}'
        .encode()),
    "nested header": lambda: _b64(b"[" * 5000 + b"]" * 5000) + "." + _b64(b"{}") + ".c2ln",
    "garbage": lambda: "eyJ" + "A" * 300,
}


@pytest.mark.parametrize("kind", list(FORGED))
def test_serve_refuses_forged_and_odd_jwts(online: RunningServer, kind: str) -> None:
    token = FORGED[kind]()
    response = httpx.get(online.url + "/api/appointments/video-token/47/",
                         headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 401, response.text
    assert isinstance(response.json()["detail"], str)  # DRF's body
    assert token not in response.text
    ok = httpx.get(online.url + "/api/appointments/video-token/47/",
                   headers={"Authorization": f"Bearer {online.jwt(2)}"}, timeout=10)
    assert ok.status_code == 200  # and the server is still fine


def test_serve_log_never_shows_an_authorization_header(online: RunningServer) -> None:
    token = online.jwt(2)
    httpx.get(online.url + "/api/appointments/video-token/47/?jwt=" + token,
              headers={"Authorization": f"Bearer {token}"}, timeout=10)
    httpx.get(online.url + "/api/appointments/video-token/" + token + "/", timeout=10)
    assert token not in online.stderr()
    assert os.environ.get("VTCTL_SERVE_SECRET") is None  # the test process never held it


def test_a_keyring_that_cannot_be_loaded_is_told_in_words_not_a_class_name(
    tmp_path: Path,
) -> None:
    result = run_vtctl("auth", "token", env={
        "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "VTCTL_JWT": "", "PYTHON_KEYRING_BACKEND": "no.such.Backend"})
    assert result.returncode == 3, result.stderr
    assert "the keyring backend cannot be loaded (check PYTHON_KEYRING_BACKEND" in result.stderr
    assert "Error" not in result.stderr and "Traceback" not in result.stderr
