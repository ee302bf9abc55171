"""``vtctl smoke``: the pure checks, ``run_smoke`` with fake sources, and the real
executable against a real ``vtctl serve`` (the session server of conftest)."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime

import pytest

from tests.helpers import ROOM_47
from vtctl.checks.smoke import (
    CHECKS,
    Fetched,
    SmokeOptions,
    check_expiry,
    check_grant,
    check_lifetime,
    check_pair,
    check_tokens,
    run_smoke,
)
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import AppointmentNotFoundError, PermissionDeniedError, VtctlError
from vtctl.domain.models import VideoToken
from vtctl.local.engine import mint_access_token

from .conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET

CREDS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
NOW = 1_763_280_000


def token(identity: str = "2-jane.doe@example.com", room: str = ROOM_47, duration: int = 60,
          issued: int = NOW, grant_room: str | None = None, ttl: int | None = None) -> VideoToken:
    seconds = ttl if ttl is not None else max(60, min(240, duration + 30)) * 60
    access = mint_access_token(CREDS, identity, grant_room or room, issued, seconds)
    return VideoToken(
        access_token=access, room_name=room, user_identity=identity, expires_in=seconds,
        expires_at=datetime.fromtimestamp(issued + seconds, UTC), appointment_id=47,
        appointment_duration_minutes=duration,
        token_valid_until=f"{seconds // 60} minutes ({seconds // 3600} hours)",
    )


def fetched(t: VideoToken, at: float = NOW) -> Fetched:
    return Fetched(t, at, at + 0.01)


JANE = token()
SARAH = token("5-sarah@example.com")


# -- pure checks ---------------------------------------------------------------------


def test_good_pair_passes_every_check() -> None:
    results = check_tokens(47, fetched(JANE), fetched(SARAH))
    assert [r.check for r in results] == list(CHECKS[:-1])
    assert all(r.ok for r in results), results


def test_grant_must_match_room_and_identity() -> None:
    assert check_grant(JANE) is None
    wrong_room = token(grant_room="apt-other")
    assert "video grant room 'apt-other'" in (check_grant(wrong_room) or "")
    wrong_identity = JANE._replace(user_identity="9-someone@example.com")
    assert "grant identity" in (check_grant(wrong_identity) or "")
    assert "does not decode" in (check_grant(JANE._replace(access_token="nope")) or "")


def test_grant_needs_the_twilio_cty() -> None:
    import jwt

    plain = jwt.encode({"grants": {"identity": JANE.user_identity, "video": {"room": ROOM_47}}},
                       "k" * 32, algorithm="HS256")
    assert "cty is None" in (check_grant(JANE._replace(access_token=plain)) or "")


@pytest.mark.parametrize(("duration", "expires_in", "ok"), [
    (60, 5400, True), (10, 3600, True), (300, 14400, True),
    (60, 3600, False),  # lifetime not duration + 30 min
    (300, 18000, False),  # beyond 4 h
    (0, 1800, False),  # below 1 h
])
def test_lifetime_rule(duration: int, expires_in: int, ok: bool) -> None:
    t = JANE._replace(appointment_duration_minutes=duration, expires_in=expires_in)
    assert (check_lifetime(t) is None) is ok


def test_expiry_agrees_with_exp_and_fetch_time() -> None:
    assert check_expiry(fetched(JANE)) is None
    shifted = JANE._replace(expires_at=datetime.fromtimestamp(NOW + 5400 + 60, UTC))
    problem = check_expiry(fetched(shifted)) or ""
    assert "from the token's exp claim" in problem and "now + expires_in" in problem
    # fetched an hour after it was minted: the server's expires_at is stale
    assert "now + expires_in" in (check_expiry(fetched(JANE, at=NOW + 3600)) or "")
    assert check_expiry(fetched(JANE, at=NOW + 4), max_skew=5) is None


def test_pair_checks() -> None:
    assert check_pair(JANE, SARAH) == [("same_room", None), ("different_tokens", None)]
    other_room = token("5-sarah@example.com", room="apt-47-other")
    assert check_pair(JANE, other_room)[0][1] is not None
    assert check_pair(JANE, JANE)[1][1] == "both users got the same access_token"


def test_a_failed_fetch_is_a_failed_check_not_a_crash() -> None:
    denied = PermissionDeniedError("Permission denied")
    results = check_tokens(47, fetched(JANE), denied)
    by_check = {r.check: r for r in results}
    assert not by_check["psychologist_token"].ok
    assert "Permission denied" in by_check["psychologist_token"].detail
    assert "same_room" not in by_check  # nothing to compare
    assert by_check["patient_grant"].ok


# -- run_smoke with fake sources ---------------------------------------------------------


class FakeSource:
    def __init__(self, identity: str | None, missing: tuple[int, ...] = ()) -> None:
        self.identity, self.missing = identity, missing
        self.threads: set[str] = set()
        self.calls = 0
        self._lock = threading.Lock()

    def video_token(self, appointment_id: int) -> VideoToken:
        with self._lock:
            self.calls += 1
            self.threads.add(threading.current_thread().name)
        if appointment_id in self.missing:
            raise AppointmentNotFoundError("Appointment not found")
        if self.identity is None:
            raise PermissionDeniedError("Permission denied")
        t = token(self.identity, room=f"apt-{appointment_id}-1-00000000", issued=int(time.time()))
        return t._replace(appointment_id=appointment_id)


def test_run_smoke_passes_and_runs_concurrently() -> None:
    jane, sarah, olly = FakeSource("2-j@x.org"), FakeSource("5-s@x.org"), FakeSource(None)
    done: list[int] = []
    report = run_smoke(SmokeOptions([*range(1, 41), 1], jane, sarah, olly, concurrency=8,
                                    on_done=done.append))
    assert report.ok, report.failed
    assert report.appointment_ids == list(range(1, 41))  # each once, in order
    assert sorted(done) == list(range(1, 41))
    assert len(report.results) == 40 * len(CHECKS)
    assert jane.calls == 40 and len(jane.threads) > 1
    entry = report.to_json()[0]
    assert set(entry) == {"appointment_id", "check", "ok", "detail"}


def test_run_smoke_reports_failures() -> None:
    jane, sarah = FakeSource("2-j@x.org", missing=(2,)), FakeSource("5-s@x.org", missing=(2,))
    leaky = FakeSource("9-o@x.org", missing=(2,))  # gets a token for 1, a 404 for 2
    report = run_smoke(SmokeOptions([1, 2], jane, sarah, leaky, concurrency=2))
    assert not report.ok
    failed = {(r.appointment_id, r.check) for r in report.failed}
    assert (2, "patient_token") in failed and (2, "psychologist_token") in failed
    assert (1, "outsider_denied") in failed
    by_key = {(r.appointment_id, r.check): r for r in report.results}
    assert "expected 403" in by_key[2, "outsider_denied"].detail


def test_unexpected_errors_of_a_source_are_not_swallowed() -> None:
    class Broken:
        def video_token(self, appointment_id: int) -> VideoToken:
            raise VtctlError("boom")

    report = run_smoke(SmokeOptions([1], Broken(), Broken()))
    assert [r.ok for r in report.results] == [False, False]
    assert "boom" in report.results[0].detail


# -- the real executable against the session's vtctl serve ------------------------------


@pytest.mark.e2e
def test_smoke_passes_on_good_appointments(vtctl, serve_server) -> None:
    env = serve_server.jwt_env(PAT=2, PSY=5, OUT=9)
    result = vtctl("smoke", "47", "49", "50", "--base-url", serve_server.url,
                   "--patient-jwt-env", "PAT", "--psychologist-jwt-env", "PSY",
                   "--outsider-jwt-env", "OUT", env=env)
    assert result.returncode == 0, result.stderr
    assert "47" in result.stdout and "FAIL" not in result.stdout
    assert "all 33 checks passed" in result.stderr


@pytest.mark.e2e
def test_smoke_json_shape(vtctl, serve_server) -> None:
    env = serve_server.jwt_env(PAT=2, PSY=5)
    result = vtctl("smoke", "47", "--json", "--base-url", serve_server.url,
                   "--patient-jwt-env", "PAT", "--psychologist-jwt-env", "PSY", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == len(CHECKS) - 1
    for entry in data:
        assert set(entry) == {"appointment_id", "check", "ok", "detail"}
        assert entry["appointment_id"] == 47 and entry["ok"] is True
    assert [e["check"] for e in data] == list(CHECKS[:-1])


@pytest.mark.e2e
def test_smoke_fails_with_exit_8(vtctl, serve_server) -> None:
    # the "psychologist" JWT is really the outsider's: 403 -> a failed check;
    # 999 does not exist and 48 has no room: failed checks, not crashes
    env = serve_server.jwt_env(PAT=2, PSY=9)
    result = vtctl("smoke", "47", "999", "--json", "--base-url", serve_server.url,
                   "--patient-jwt-env", "PAT", "--psychologist-jwt-env", "PSY", env=env)
    assert result.returncode == 8, result.stderr
    data = json.loads(result.stdout)
    failed = {(e["appointment_id"], e["check"]) for e in data if not e["ok"]}
    assert (47, "psychologist_token") in failed
    assert (999, "patient_token") in failed and (999, "psychologist_token") in failed
    assert (47, "patient_token") not in failed
    assert "checks failed" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.e2e
def test_smoke_with_the_server_down_is_the_network_exit_7(vtctl, serve_server) -> None:
    """No check could run: that is exit 7 (network), not 8 (checks failed)."""
    from tests.serve_fixtures import free_port

    env = serve_server.jwt_env(PAT=2, PSY=5, OUT=9)
    result = vtctl("smoke", "47", "49", "--base-url", f"http://127.0.0.1:{free_port()}",
                   "--patient-jwt-env", "PAT", "--psychologist-jwt-env", "PSY",
                   "--outsider-jwt-env", "OUT", "--json", env=env)
    assert result.returncode == 7, result.stderr
    assert "no check could run" in result.stderr and "Traceback" not in result.stderr
    assert {e["ok"] for e in json.loads(result.stdout)} == {False}


@pytest.mark.e2e
def test_smoke_usage_errors(vtctl, serve_server) -> None:
    result = vtctl("smoke", "47", "--base-url", serve_server.url, "--patient-jwt-env", "PAT")
    assert result.returncode == 2 and "psychologist" in result.stderr
    result = vtctl("smoke", "47", "--base-url", serve_server.url,
                   "--patient-jwt-env", "UNSET_VAR", "--psychologist-jwt-env", "UNSET_VAR")
    assert result.returncode == 3 and "UNSET_VAR" in result.stderr


@pytest.mark.e2e
def test_smoke_with_profiles_from_the_keyring(cli, serve_server) -> None:
    from vtctl.config.secrets_store import set_secret

    set_secret("jane", "jwt", serve_server.jwt(2))
    set_secret("sarah", "jwt", serve_server.jwt(5))
    result = cli("smoke", "47", "49", "--base-url", serve_server.url,
                 "--patient", "jane", "--psychologist", "sarah")
    assert result.exit_code == 0, result.stderr
    result = cli("smoke", "47", "--base-url", serve_server.url,
                 "--patient", "jane", "--psychologist", "nobody")
    assert result.exit_code == 3 and "nobody" in result.stderr


# -- the command layer without HTTP -----------------------------------------------------


class ClosableSource(FakeSource):
    closed = False

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_only_on_a_terminal_and_table_on_stdout(terminal: bool) -> None:
    import io

    from vtctl.cli.smoke import JwtRef, SmokeCliOptions, run_smoke_command
    from vtctl.config.settings import BackendOptions, resolve_settings
    from vtctl.ui.iostreams import IOStreams

    out, err = io.StringIO(), io.StringIO()
    streams = IOStreams(out=out, err=err, force_terminal=terminal, width=120)
    sources = {"p": ClosableSource("2-j@x.org"), "s": ClosableSource("5-s@x.org")}
    env = {"P": "p", "S": "s"}
    opts = SmokeCliOptions(
        io=streams, settings=resolve_settings(BackendOptions(), env={}),
        appointment_ids=[1, 2, 3], patient=JwtRef("patient", env_var="P"),
        psychologist=JwtRef("psychologist", env_var="S"),
        make_client=lambda settings, jwt: sources[jwt],  # type: ignore[arg-type,return-value]
    )
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        report = run_smoke_command(opts)
    assert report.ok and all(s.closed for s in sources.values())
    if terminal:
        assert "vtctl smoke" in out.getvalue() and "10/10" in out.getvalue()
    else:  # one tab-separated line per appointment
        assert out.getvalue().splitlines()[0].split("\t") == ["1", "ok", "10/10",
                                                               "room apt-1-1-00000000"]
    assert ("smoke" in err.getvalue().split("all ")[0]) is terminal
    assert "all 30 checks passed" in err.getvalue()
