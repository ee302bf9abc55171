"""``vtctl serve``'s app in-process (Starlette TestClient): every route, every
status code and body of the guide, and the JWT authentication."""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.helpers import ROOM_47, appointment, decode, make_store
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.models import TOKEN_FIELDS
from vtctl.domain.room_state import RoomStatus
from vtctl.local.store import AppointmentStore
from vtctl.server.app import create_app, create_asgi
from vtctl.server.auth import AuthFailed, JwtAuthority
from vtctl.server.limits import ServeLimits
from vtctl.server.state import FRESH_SECONDS, CachedStore, ServerState

from .conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET

with warnings.catch_warnings():  # "install httpx2": the installed httpx works fine
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SECRET = "server-test-secret-0123456789abcdef0123456789"  # 45 bytes
CREDS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
API = "/api/appointments"
JANE, SARAH, OUTSIDER, GHOST = 2, 5, 9, 77


def _claims(user_id: Any = JANE, **override: Any) -> dict[str, Any]:
    now = int(time.time())
    # an hour: AS's tokens are made at collection, and a loaded machine's suite takes minutes
    claims = {"token_type": "access", "exp": now + 3600, "iat": now, "jti": "j1",
              "user_id": user_id}
    claims.update(override)
    return {k: v for k, v in claims.items() if v is not None}


def _jwt(user_id: Any = JANE, secret: str = SECRET, **override: Any) -> str:
    return jwt.encode(_claims(user_id, **override), secret, algorithm="HS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


AS = {user: bearer(_jwt(user)) for user in (JANE, SARAH, OUTSIDER)}

MakeClient = Callable[..., TestClient]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return make_store(
        tmp_path / "store.sqlite3",
        appointment(47),
        appointment(48, room=None),
        appointment(49, duration=240, room="apt-49-1763300000-0a1b2c3d"),
        appointment(50, duration=10, room="apt-50-1763300000-00000000"),
    )


@pytest.fixture
def make_client(store_path: Path) -> Iterator[MakeClient]:
    opened: list[tuple[TestClient, ServerState]] = []

    def make(
        credentials: TwilioCredentials | None = CREDS,
        problem: str | None = None,
        dev_login: bool = False,
        access_log: bool = True,
        log_stream: io.StringIO | None = None,
        fast: bool = True,
        clock: Callable[[], float] = time.time,
        limits: ServeLimits | None = None,
        reader_clock: Callable[[], float] | None = None,
    ) -> TestClient:
        reader = CachedStore.open(store_path)
        if reader_clock is not None:
            reader.clock = reader_clock
        state = ServerState.open(
            reader, AppointmentStore.open(store_path),
            JwtAuthority(SECRET), credentials, problem, dev_login=dev_login, clock=clock,
            limits=limits,
        )
        build = create_asgi if fast else create_app
        client = TestClient(build(state, access_log=access_log,  # type: ignore[arg-type]
                                  log_stream=log_stream or io.StringIO()),
                            base_url="http://localhost")  # dev login answers loopback names
        client.__enter__()
        opened.append((client, state))
        return client

    yield make
    for client, state in opened:
        client.__exit__(None, None, None)
        state.close()


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


# -- 200: the guide's token reply ---------------------------------------------------


@pytest.mark.parametrize("endpoint", ["video-token", "video-token-refresh"])
def test_token_reply_has_exactly_the_guides_fields(client: TestClient, endpoint: str) -> None:
    before = int(time.time())
    response = client.get(f"{API}/{endpoint}/47/", headers=AS[JANE])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    assert tuple(data) == TOKEN_FIELDS
    assert data["room_name"] == ROOM_47
    assert data["user_identity"] == "2-jane.doe@example.com"
    assert data["expires_in"] == 5400
    assert data["appointment_id"] == 47
    assert data["appointment_duration_minutes"] == 60
    assert data["token_valid_until"] == "90 minutes (1 hours)"
    header, claims = decode(data["access_token"], check_time=True)
    assert header["cty"] == "twilio-fpa;v=1"
    assert claims["grants"] == {"identity": "2-jane.doe@example.com", "video": {"room": ROOM_47}}
    assert claims["exp"] - claims["nbf"] == 5400
    assert before <= claims["nbf"] <= int(time.time())
    assert data["expires_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(claims["exp"]))


def test_both_participants_share_the_room_with_different_tokens(client: TestClient) -> None:
    jane = client.get(f"{API}/video-token/47/", headers=AS[JANE]).json()
    sarah = client.get(f"{API}/video-token/47/", headers=AS[SARAH]).json()
    assert jane["room_name"] == sarah["room_name"] == ROOM_47
    assert jane["access_token"] != sarah["access_token"]
    assert sarah["user_identity"] == "5-sarah@example.com"


@pytest.mark.parametrize(("appointment_id", "seconds", "text"), [
    (49, 14400, "240 minutes (4 hours)"),
    (50, 3600, "60 minutes (1 hours)"),
])
def test_lifetime_is_clamped(client: TestClient, appointment_id: int, seconds: int,
                             text: str) -> None:
    data = client.get(f"{API}/video-token/{appointment_id}/", headers=AS[JANE]).json()
    assert (data["expires_in"], data["token_valid_until"]) == (seconds, text)


# -- the guide's errors, in the guide's order ----------------------------------------


@pytest.mark.parametrize(("user", "appointment_id", "status", "body"), [
    (JANE, 999, 404, {"error": "Appointment not found"}),
    (OUTSIDER, 999, 404, {"error": "Appointment not found"}),
    (OUTSIDER, 47, 403, {"error": "Permission denied"}),
    (OUTSIDER, 48, 403, {"error": "Permission denied"}),  # permission before the room
    (JANE, 48, 404, {"error": "No video room found for this appointment"}),
])
@pytest.mark.parametrize("endpoint", ["video-token", "video-token-refresh"])
def test_guide_errors(client: TestClient, endpoint: str, user: int, appointment_id: int,
                      status: int, body: dict[str, str]) -> None:
    response = client.get(f"{API}/{endpoint}/{appointment_id}/", headers=AS[user])
    assert (response.status_code, response.json()) == (status, body)


def test_huge_appointment_id_is_not_found(client: TestClient) -> None:
    response = client.get(f"{API}/video-token/{2**70}/", headers=AS[JANE])
    assert (response.status_code, response.json()) == (404, {"error": "Appointment not found"})


def test_missing_credentials_give_the_guides_500(make_client: MakeClient) -> None:
    client = make_client(credentials=None, problem="no Twilio credentials for profile 'default'")
    response = client.get(f"{API}/video-token/47/", headers=AS[JANE])
    assert response.status_code == 500
    assert response.json() == {
        "error": "Failed to generate access token: no Twilio credentials for profile 'default'"
    }
    # the guide's checks still come first
    assert client.get(f"{API}/video-token/47/", headers=AS[OUTSIDER]).status_code == 403
    assert client.get(f"{API}/video-token/48/", headers=AS[JANE]).status_code == 404


def test_a_broken_secret_gives_the_guides_500(make_client: MakeClient) -> None:
    broken = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, "x")
    object.__setattr__(broken, "api_secret", 12345)  # not a usable HMAC key
    response = make_client(credentials=broken).get(f"{API}/video-token/47/", headers=AS[JANE])
    assert response.status_code == 500
    assert response.json()["error"].startswith("Failed to generate access token: ")


# -- 401: DRF / SimpleJWT bodies -----------------------------------------------------

NOT_VALID = "Given token not valid for any token type"


def _message(response: Any) -> str:
    messages: list[dict[str, str]] = response.json()["messages"]
    return messages[0]["message"]


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": ""},
    {"Authorization": f"Token {_jwt()}"},
    {"Authorization": f"bearer {_jwt()}"},
])
def test_no_credentials(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get(f"{API}/video-token/47/", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response.headers["www-authenticate"] == 'Bearer realm="api"'


def test_header_with_three_parts(client: TestClient) -> None:
    response = client.get(f"{API}/video-token/47/", headers={"Authorization": "Bearer a b"})
    assert response.status_code == 401
    assert response.json()["code"] == "bad_authorization_header"


def _alg_none() -> str:
    return jwt.encode(_claims(), None, algorithm="none")  # type: ignore[arg-type]


#: each token is made inside the test (not at collection, when a slow suite could outlive
#: its times): a day before its ``nbf``, a minute after its ``exp``
BAD_TOKENS: dict[str, tuple[Callable[[], str], str]] = {
    "not a jwt": (lambda: "not-a-jwt", "Token is invalid"),
    "other secret": (lambda: _jwt(secret="some-other-secret-0123456789abcdef0123"),
                     "Token is invalid"),
    "expired": (lambda: _jwt(exp=int(time.time()) - 60), "Token is expired"),
    "not yet valid": (lambda: _jwt(nbf=int(time.time()) + 86_400), "Token is not yet valid"),
    "alg none": (_alg_none, "Token is invalid"),
    "refresh token": (lambda: _jwt(token_type="refresh"), "Token has wrong type"),
    "no jti": (lambda: _jwt(jti=None), "Token is invalid"),
    "no exp": (lambda: _jwt(exp=None), "Token is invalid"),
}


@pytest.mark.parametrize(("make", "message"), BAD_TOKENS.values(), ids=list(BAD_TOKENS))
def test_bad_tokens(client: TestClient, make: Callable[[], str], message: str) -> None:
    response = client.get(f"{API}/video-token/47/", headers=bearer(make()))
    assert response.status_code == 401
    body = response.json()
    assert (body["detail"], body["code"]) == (NOT_VALID, "token_not_valid")
    assert _message(response) == message


@pytest.mark.filterwarnings("ignore:The HMAC key")
def test_hs512_with_the_right_secret_is_still_refused(client: TestClient) -> None:
    token = jwt.encode(_claims(), SECRET, algorithm="HS512")
    assert client.get(f"{API}/video-token/47/", headers=bearer(token)).status_code == 401


def test_token_without_user_and_unknown_user(client: TestClient) -> None:
    response = client.get(f"{API}/video-token/47/", headers=bearer(_jwt(user_id=None)))
    assert response.status_code == 401
    assert response.json()["detail"] == "Token contained no recognizable user identification"
    response = client.get(f"{API}/video-token/47/", headers=bearer(_jwt(GHOST)))
    assert (response.status_code, response.json()["detail"]) == (401, "User not found")


def test_string_user_id_is_accepted(client: TestClient) -> None:
    response = client.get(f"{API}/video-token/47/", headers=bearer(_jwt("5")))
    assert response.json()["user_identity"] == "5-sarah@example.com"


def test_auth_comes_before_not_found(client: TestClient) -> None:
    assert client.get(f"{API}/video-token/999/").status_code == 401


def test_expiry_is_rechecked_for_cached_tokens() -> None:
    now = [1_000_000.0]
    auth = JwtAuthority(SECRET, clock=lambda: now[0])
    token = auth.issue(JANE, lifetime=60)
    assert auth.verify(token) == JANE
    assert auth.verify(token) == JANE  # cached
    now[0] += 61
    with pytest.raises(AuthFailed, match="not valid") as failed:
        auth.verify(token)
    assert failed.value.body["messages"][0]["message"] == "Token is expired"


def test_issued_in_the_future_is_not_yet_valid() -> None:
    auth = JwtAuthority(SECRET)
    token = _jwt(iat=int(time.time()) + 600)
    with pytest.raises(AuthFailed) as failed:
        auth.verify(token)
    assert failed.value.body["messages"][0]["message"] == "Token is not yet valid"


# -- the other endpoints -------------------------------------------------------------


def test_appointment_detail(client: TestClient) -> None:
    response = client.get(f"{API}/47/", headers=AS[SARAH])
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == 47 and data["video_room_id"] == ROOM_47
    assert data["patient"] == {"id": 2, "email": "jane.doe@example.com", "name": "Jane Doe"}
    assert client.get(f"{API}/47/", headers=AS[OUTSIDER]).status_code == 403
    assert client.get(f"{API}/999/", headers=AS[JANE]).json() == {"error": "Appointment not found"}


def test_room_creation_then_tokens(client: TestClient) -> None:
    response = client.post(f"{API}/video-room/48/", headers=AS[JANE])
    assert response.status_code == 201
    created = response.json()
    assert created["appointment_id"] == 48 and created["created"] is True
    assert created["room_name"].startswith("apt-48-")
    again = client.post(f"{API}/video-room/48/", headers=AS[SARAH])
    assert again.status_code == 200
    assert again.json() == {**created, "created": False}
    token = client.get(f"{API}/video-token/48/", headers=AS[JANE]).json()
    assert token["room_name"] == created["room_name"]
    assert client.post(f"{API}/video-room/48/", headers=AS[OUTSIDER]).status_code == 403
    assert client.post(f"{API}/video-room/999/", headers=AS[JANE]).status_code == 404


def test_status_offline_without_credentials(make_client: MakeClient) -> None:
    client = make_client(credentials=None, problem="no Twilio credentials")
    response = client.get(f"{API}/video-status/47/", headers=AS[JANE])
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["room_name"]) == ("unknown", ROOM_47)
    assert (data["unknown_reason"], data["participant_count"]) == ("no-credentials", None)
    assert data["message"].startswith("room state unknown: vtctl serve has no Twilio credentials")
    assert "no Twilio credentials" in data["message"]
    assert client.get(f"{API}/video-status/47/", headers=AS[OUTSIDER]).status_code == 403
    response = client.get(f"{API}/video-status/48/", headers=AS[JANE])
    assert response.json() == {"error": "No video room found for this appointment"}


def test_status_asks_twilio_when_credentials_exist(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vtctl.twilio_video.rooms

    seen: list[tuple[Any, int]] = []

    def fake(credentials: TwilioCredentials, appointment: Any) -> RoomStatus:
        seen.append((credentials, appointment.id))
        return RoomStatus(appointment.id, appointment.video_room_id, status="in-progress",
                          sid="RM" + "0" * 32, participant_count=1)

    monkeypatch.setattr(vtctl.twilio_video.rooms, "fetch_room_status", fake)
    data = client.get(f"{API}/video-status/47/", headers=AS[JANE]).json()
    assert (data["status"], data["participant_count"]) == ("in-progress", 1)
    assert seen == [(CREDS, 47)]


def test_status_network_failure_is_an_unknown_state(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vtctl.twilio_video.rooms
    from vtctl.domain.errors import NetworkError

    def down(credentials: TwilioCredentials, appointment: Any) -> RoomStatus:
        raise NetworkError("cannot reach Twilio")

    monkeypatch.setattr(vtctl.twilio_video.rooms, "fetch_room_status", down)
    response = client.get(f"{API}/video-status/47/", headers=AS[JANE])
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["unknown_reason"]) == ("unknown", "twilio-unreachable")
    # a fixed message and a reference, never Twilio's (or the transport's) own words
    assert data["message"].startswith(
        "room state unknown: vtctl serve could not reach Twilio (reference ")
    assert "cannot reach Twilio" not in data["message"]
    assert data["participant_count"] is None


def test_unknown_route_and_wrong_method(client: TestClient) -> None:
    response = client.get("/api/nothing/", headers=AS[JANE])
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    response = client.post(f"{API}/video-token/47/", headers=AS[JANE])
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    response = client.get(f"{API}/video-token/47", headers=AS[JANE], follow_redirects=False)
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_cors_for_local_frontends_only(client: TestClient) -> None:
    preflight = {
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    response = client.options(f"{API}/video-token/47/", headers=preflight)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    response = client.get(f"{API}/video-token/47/",
                          headers={**AS[JANE], "Origin": "http://127.0.0.1:5173"})
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:5173"
    response = client.options(f"{API}/video-token/47/",
                              headers={**preflight, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


# -- dev login -----------------------------------------------------------------------


def test_dev_login_is_off_by_default(client: TestClient) -> None:
    response = client.post("/api/token/", json={"username": "2", "password": "x"})
    assert response.status_code == 404


def test_dev_login_and_refresh(make_client: MakeClient) -> None:
    client = make_client(dev_login=True)
    response = client.post("/api/token/", json={"username": "sarah@example.com", "password": "x"})
    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    token = client.get(f"{API}/video-token/47/", headers=bearer(pair["access"])).json()
    assert token["user_identity"] == "5-sarah@example.com"
    # a refresh token is not an access token
    assert client.get(f"{API}/video-token/47/", headers=bearer(pair["refresh"])).status_code == 401
    refreshed = client.post("/api/token/refresh/", json={"refresh": pair["refresh"]})
    assert refreshed.status_code == 200 and set(refreshed.json()) == {"access"}
    assert client.post("/api/token/refresh/", json={"refresh": pair["access"]}).status_code == 401
    assert client.post("/api/token/", json={"username": "nobody@example.com",
                                            "password": "x"}).status_code == 401
    missing = client.post("/api/token/", json={"username": "2"})
    assert (missing.status_code, missing.json()) == (400, {"password": ["This field is required."]})
    assert client.post("/api/token/", content=b"{nope").status_code == 400
    huge = client.post("/api/token/", content=b" " * (65 * 1024))
    assert (huge.status_code, huge.json()) == (413, {"detail": "Request body too large"})


# -- the request log never holds a token ------------------------------------------------


def test_access_log_has_no_token(make_client: MakeClient) -> None:
    stream = io.StringIO()
    client = make_client(log_stream=stream)
    token = _jwt()
    client.get(f"{API}/video-token/47/?token={token}&access_token=abc", headers=bearer(token))
    client.get(f"{API}/video-token/{token}/", headers=bearer(token))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert '"GET /api/appointments/video-token/47/" 200' in lines[0]
    text = "\n".join(lines)
    assert token not in text and "access_token" not in text and "eyJ" not in text
    assert "Bearer" not in text


# -- the fast path and the cache ---------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["video-token", "video-token-refresh"])
def test_fast_path_answers_exactly_like_the_app(make_client: MakeClient, endpoint: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = int(time.time()) + 0.5
    # twilio's AccessToken stamps its jti with time.time() itself: freeze that too, or the
    # two paths differ whenever a second boundary falls between their mints
    monkeypatch.setattr(time, "time", lambda: frozen)
    fast = make_client(fast=True, clock=lambda: frozen)
    slow = make_client(fast=False, clock=lambda: frozen)
    statuses = []
    for user, appointment_id in ((JANE, 47), (SARAH, 49), (OUTSIDER, 47), (JANE, 48),
                                 (JANE, 999), (GHOST, 47)):
        a = fast.get(f"{API}/{endpoint}/{appointment_id}/", headers=bearer(_jwt(user)))
        b = slow.get(f"{API}/{endpoint}/{appointment_id}/", headers=bearer(_jwt(user)))
        assert (a.status_code, a.content) == (b.status_code, b.content)
        statuses.append(a.status_code)
        assert {k: v for k, v in a.headers.items() if k != "date"} == {
            k: v for k, v in b.headers.items() if k != "date"}
    assert statuses == [200, 200, 403, 404, 404, 401]


def test_cached_store_sees_other_connections_writes_within_its_window(
    make_client: MakeClient, store_path: Path
) -> None:
    now = [1000.0]
    client = make_client(reader_clock=lambda: now[0])
    assert client.get(f"{API}/video-token/48/", headers=AS[JANE]).status_code == 404
    assert client.get(f"{API}/video-token/60/", headers=AS[JANE]).status_code == 404
    with AppointmentStore.open(store_path) as other:  # e.g. `vtctl appointment import`
        other.set_room_if_absent(48, "apt-48-1-deadbeef")
        from vtctl.domain.models import Appointment
        other.add_appointment(Appointment(60, 2, 5, 30, video_room_id="apt-60-1-00000000"))
    now[0] += FRESH_SECONDS * 0.9  # the rows read at 1000.0 still hold
    assert client.get(f"{API}/video-token/48/", headers=AS[JANE]).status_code == 404
    now[0] += FRESH_SECONDS * 0.2
    assert client.get(f"{API}/video-token/48/", headers=AS[JANE]).json()["room_name"] == (
        "apt-48-1-deadbeef")
    assert client.get(f"{API}/video-token/60/", headers=AS[SARAH]).status_code == 200


def test_cached_store_reads_data_version_once_per_window(store_path: Path) -> None:
    """Each statement lets go of the GIL (serve's p99): the check runs once a window,
    and a full cache is emptied whenever it is seen, window or not."""
    reader = CachedStore.open(store_path)
    now = [50.0]
    reader.clock = lambda: now[0]
    statements: list[str] = []
    reader._db.set_trace_callback(statements.append)
    try:
        for _ in range(5):
            assert reader.get_appointment(47) is not None and reader.get_user(2) is not None
        assert statements.count("PRAGMA data_version") == 1
        assert len(statements) == 3  # the check, then the appointment and the user once
        now[0] += FRESH_SECONDS * 1.01
        reader.get_appointment(47)
        assert statements.count("PRAGMA data_version") == 2
        now[0] -= 10  # a clock that steps back looks again rather than trusting the cache
        reader.get_appointment(47)
        assert statements.count("PRAGMA data_version") == 3
    finally:
        reader.close()


def test_the_readme_states_the_read_cache_window_and_the_writer_batch() -> None:
    import re

    from vtctl.server.audit_sink import FLUSH_RECORDS

    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text().split())
    ms = round(FRESH_SECONDS * 1000)
    assert re.search(rf"looks for changes in its store at most every {ms} ms", readme)
    assert f"is served within {ms} ms" in readme
    assert f"background writer ({FLUSH_RECORDS} records or half a second" in readme
