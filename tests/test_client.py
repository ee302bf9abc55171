"""RestClient against pytest-httpx: endpoints, fault mapping, retries, redirects, caps."""

from __future__ import annotations

import json
import logging
import ssl
from collections.abc import Iterator

import httpx
import pytest
from pytest_httpx import HTTPXMock, IteratorStream

from tests.fake_clock import FakeMonotonic
from tests.remote_helpers import (
    APPOINTMENT_BODY,
    APPOINTMENT_NOT_FOUND,
    BASE,
    HTML_PAGE,
    NO_SUCH_HOST,
    NO_VIDEO_ROOM,
    PERMISSION_DENIED,
    REFUSED,
    ROOM,
    TOKEN_BODY,
    TOKEN_FAILED,
    UNREACHABLE,
    UNTRUSTED,
    connect_error,
    make_jwt,
    url,
)
from vtctl import __version__
from vtctl.domain.errors import (
    AppointmentNotFoundError,
    AuthenticationError,
    ExitCode,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    NoVideoRoomError,
    PermissionDeniedError,
    RequestTimeoutError,
    ServerError,
    TokenGenerationError,
    UsageError,
)
from vtctl.remote.client import MAX_RESPONSE_BYTES, RestClient

TOKEN_URL = url("/api/appointments/video-token/47/")
JWT = make_jwt()


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(sleeps: Sleeps) -> Iterator[RestClient]:
    with RestClient(BASE, JWT, sleep=sleeps) as rest:
        yield rest


# --- happy paths, with the guide's bodies ----------------------------------------


def test_video_token(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, method="GET", json=TOKEN_BODY)
    token = client.video_token(47)
    assert token.to_json() == TOKEN_BODY
    request = httpx_mock.get_requests()[0]
    assert request.headers["Authorization"] == f"Bearer {JWT}"
    assert request.headers["User-Agent"] == f"vtctl/{__version__}"
    assert request.headers["Accept"] == "application/json"


def test_refresh_token(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(
        url=url("/api/appointments/video-token-refresh/47/"), method="GET",
        json={**TOKEN_BODY, "access_token": "eyJnew.eyJnew.sig"},
    )
    assert client.refresh_token(47).access_token == "eyJnew.eyJnew.sig"


def test_appointment(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=url("/api/appointments/47/"), json=APPOINTMENT_BODY)
    found = client.appointment(47)
    assert (found.id, found.patient_id, found.psychologist_id) == (47, 2, 5)
    assert found.video_room_id == ROOM


def test_create_room_is_a_post(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(
        url=url("/api/appointments/video-room/47/"), method="POST", status_code=201,
        json={"appointment_id": 47, "room_name": ROOM, "created": True},
    )
    info = client.create_room(47)
    assert info.created and info.room_name == ROOM
    request = httpx_mock.get_requests()[0]
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == f"Bearer {JWT}"


def test_room_status(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(
        url=url("/api/appointments/video-status/47/"),
        json={"appointment_id": 47, "room_name": ROOM, "status": "in-progress",
              "participant_count": 2,
              "participants": [{"identity": "2-jane.doe@example.com", "status": "connected"}]},
    )
    status = client.room_status(47)
    assert status.room_name == ROOM and status.status == "in-progress"
    assert status.active_participant_count == 2


def test_jwt_callable_is_read_at_request_time(httpx_mock: HTTPXMock) -> None:
    calls: list[int] = []

    def provide() -> str:
        calls.append(1)
        return JWT

    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    with RestClient(BASE + "/", provide) as rest:
        assert not calls
        rest.video_token(47)
    assert calls == [1]
    assert httpx_mock.get_requests()[0].url == TOKEN_URL  # trailing slash of base handled


def test_no_jwt_sends_no_authorization(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    with RestClient(BASE, None) as rest:
        rest.video_token(47)
    assert "Authorization" not in httpx_mock.get_requests()[0].headers


def test_explicit_transport_is_used() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=TOKEN_BODY)

    with RestClient(BASE, JWT, transport=httpx.MockTransport(handler)) as rest:
        assert rest.video_token(47).room_name == ROOM
    assert len(seen) == 1


# --- HTTP faults ----------------------------------------------------------------------


def test_401_says_log_in_again(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(
        url=TOKEN_URL, status_code=401,
        json={"detail": "Given token not valid for any token type", "code": "token_not_valid"},
    )
    with pytest.raises(AuthenticationError) as info:
        client.video_token(47)
    assert info.value.exit_code == ExitCode.NOT_AUTHENTICATED
    assert "vtctl auth login" in info.value.message
    assert "Given token not valid" in info.value.message
    assert JWT not in info.value.message


def test_expired_jwt_is_refused_before_sending(httpx_mock: HTTPXMock, sleeps: Sleeps) -> None:
    with RestClient(BASE, make_jwt(lifetime=-60), sleep=sleeps) as rest, \
            pytest.raises(AuthenticationError) as info:
        rest.video_token(47)
    assert "log in again with `vtctl auth login`" in info.value.message
    assert "expired" in info.value.message
    assert httpx_mock.get_requests() == []


def test_403(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=403, json=PERMISSION_DENIED)
    with pytest.raises(PermissionDeniedError) as info:
        client.video_token(47)
    assert info.value.message == "Permission denied"
    assert info.value.exit_code == ExitCode.PERMISSION_DENIED


def test_404_appointment(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=404, json=APPOINTMENT_NOT_FOUND)
    with pytest.raises(AppointmentNotFoundError) as info:
        client.video_token(47)
    assert info.value.message == "Appointment not found"
    assert info.value.exit_code == ExitCode.NOT_FOUND


def test_404_no_room(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=404, json=NO_VIDEO_ROOM)
    with pytest.raises(NoVideoRoomError) as info:
        client.video_token(47)
    assert info.value.message == "No video room found for this appointment"
    assert info.value.hint == "create one with `vtctl room create 47`"  # the id of the URL


def test_404_drf_detail_and_html(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=404, json={"detail": "Not found."})
    httpx_mock.add_response(url=TOKEN_URL, status_code=404, html="<h1>Not Found</h1>")
    for _ in range(2):
        with pytest.raises(NotFoundError) as info:
            client.video_token(47)
        assert type(info.value) is NotFoundError
        assert info.value.exit_code == ExitCode.NOT_FOUND


def test_500_guide_body(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=500, json=TOKEN_FAILED)
    with pytest.raises(TokenGenerationError) as info:
        client.video_token(47)
    assert "Failed to generate access token: Twilio credentials missing" in info.value.message
    assert info.value.exit_code == ExitCode.SERVER_ERROR
    assert len(httpx_mock.get_requests()) == 1  # 500 is not retried


def test_502_html_proxy_page(httpx_mock: HTTPXMock, sleeps: Sleeps) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=502, html=HTML_PAGE)
    with RestClient(BASE, JWT, max_tries=1, sleep=sleeps) as rest, \
            pytest.raises(ServerError) as info:
        rest.video_token(47)
    assert "HTTP 502" in info.value.message and "text/html" in info.value.message
    assert "<html>" not in info.value.message


def test_200_html_is_malformed(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, html=HTML_PAGE)
    with pytest.raises(MalformedResponseError, match="not JSON"):
        client.video_token(47)


def test_200_missing_fields(httpx_mock: HTTPXMock, client: RestClient) -> None:
    body = {k: v for k, v in TOKEN_BODY.items() if k != "room_name"}
    httpx_mock.add_response(url=TOKEN_URL, json=body)
    with pytest.raises(MalformedResponseError, match="room_name"):
        client.video_token(47)


def test_200_with_error_body(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, json={"error": "Twilio misconfigured"})
    with pytest.raises(MalformedResponseError, match="Twilio misconfigured"):
        client.video_token(47)


def test_unexpected_4xx(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=405, json={"detail": "Method not allowed"})
    with pytest.raises(ServerError, match="HTTP 405"):
        client.video_token(47)


# --- network faults ------------------------------------------------------------------------


def test_connection_refused_retried_then_exit_7(
    httpx_mock: HTTPXMock, client: RestClient, sleeps: Sleeps
) -> None:
    httpx_mock.add_exception(connect_error(REFUSED), is_reusable=True)
    with pytest.raises(NetworkError) as info:
        client.video_token(47)
    assert info.value.exit_code == ExitCode.NETWORK_ERROR
    assert "connection refused" in info.value.message
    assert len(httpx_mock.get_requests()) == 3
    assert sleeps == [0.5, 1.0]


def test_dns_failure(httpx_mock: HTTPXMock, sleeps: Sleeps) -> None:
    httpx_mock.add_exception(connect_error(NO_SUCH_HOST))
    with RestClient(BASE, JWT, max_tries=1, sleep=sleeps) as rest, \
            pytest.raises(NetworkError, match=r"cannot resolve host 127\.0\.0\.1:8765"):
        rest.video_token(47)


def test_network_unreachable(httpx_mock: HTTPXMock, sleeps: Sleeps) -> None:
    httpx_mock.add_exception(connect_error(UNREACHABLE))
    with RestClient(BASE, JWT, max_tries=1, sleep=sleeps) as rest, \
            pytest.raises(NetworkError, match=r"no route to 127\.0\.0\.1:8765") as info:
        rest.video_token(47)
    assert info.value.exit_code == ExitCode.NETWORK_ERROR


def test_the_message_text_of_an_error_decides_nothing(httpx_mock: HTTPXMock,
                                                     sleeps: Sleeps) -> None:
    """Words that once chose the error ("refused", "SSL", "Name or service not known")
    mean nothing without the OS error under them."""
    httpx_mock.add_exception(httpx.ConnectError(
        "[SSL: CERTIFICATE_VERIFY_FAILED] Connection refused: Name or service not known"))
    with RestClient(BASE, JWT, max_tries=1, sleep=sleeps) as rest, \
            pytest.raises(NetworkError) as info:
        rest.video_token(47)
    assert info.value.message.startswith("cannot connect to 127.0.0.1:8765")


def test_tls_failure_is_not_retried(httpx_mock: HTTPXMock, client: RestClient,
                                    sleeps: Sleeps) -> None:
    httpx_mock.add_exception(connect_error(UNTRUSTED))
    with pytest.raises(NetworkError) as info:
        client.video_token(47)
    assert "TLS verification failed" in info.value.message
    assert info.value.hint is not None and "--ca-bundle" in info.value.hint
    assert sleeps == []


def test_read_timeout(httpx_mock: HTTPXMock, client: RestClient, sleeps: Sleeps) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"))
    with pytest.raises(RequestTimeoutError) as info:
        client.video_token(47)
    assert info.value.exit_code == ExitCode.NETWORK_ERROR
    assert "within 10 s" in info.value.message
    assert sleeps == []  # a read timeout is not retried (the whole budget was spent)


def test_a_connect_timeout_is_not_retried(httpx_mock: HTTPXMock, client: RestClient,
                                         sleeps: Sleeps) -> None:
    """A timeout means the whole --timeout has been spent: nothing is left to retry with."""
    httpx_mock.add_exception(httpx.ConnectTimeout("timed out"))
    with pytest.raises(RequestTimeoutError, match="could not connect"):
        client.video_token(47)
    assert len(httpx_mock.get_requests()) == 1 and sleeps == []


def test_broken_connection(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_exception(httpx.RemoteProtocolError("Server disconnected"))
    with pytest.raises(NetworkError, match="Server disconnected"):
        client.video_token(47)


def test_whole_reply_timeout_covers_a_slow_body(httpx_mock: HTTPXMock, client: RestClient) -> None:
    """A server dripping bytes under the per-read timeout still hits the total."""
    ticks = iter(range(0, 1000, 4))
    client._clock = lambda: float(next(ticks))
    body = json.dumps(TOKEN_BODY).encode()
    chunks = [body[i:i + 20] for i in range(0, len(body), 20)]
    httpx_mock.add_response(url=TOKEN_URL, stream=IteratorStream(chunks))
    with pytest.raises(RequestTimeoutError, match="no complete reply"):
        client.video_token(47)


def test_each_phase_waits_only_for_the_time_left(httpx_mock: HTTPXMock, sleeps: Sleeps) -> None:
    now = [100.0]

    def redirect(request: httpx.Request) -> httpx.Response:
        now[0] += 4  # the first hop took 4 s
        return httpx.Response(302, headers={"Location": "/api/appointments/47/v2/"})

    httpx_mock.add_callback(redirect, url=url("/api/appointments/47/"))
    httpx_mock.add_response(url=url("/api/appointments/47/v2/"), json=APPOINTMENT_BODY)
    with RestClient(BASE, JWT, timeout=10, sleep=sleeps) as rest:
        rest._clock = lambda: now[0]
        rest.appointment(47)
    first, second = httpx_mock.get_requests()
    assert first.extensions["timeout"]["read"] == 10.0
    assert second.extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 6.0)


def test_timeout_is_configured() -> None:
    with RestClient(BASE, JWT, timeout=2.5) as rest:
        timeout = rest._http.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (2.5,) * 4
    with pytest.raises(UsageError):
        RestClient(BASE, JWT, timeout=0)


# --- retries -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_get_retried_on_transient_status(
    httpx_mock: HTTPXMock, client: RestClient, sleeps: Sleeps, status: int
) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=status)
    httpx_mock.add_response(url=TOKEN_URL, status_code=status)
    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    assert client.video_token(47).room_name == ROOM
    assert len(httpx_mock.get_requests()) == 3
    assert sleeps == [0.5, 1.0]


def test_retry_after_is_honoured(httpx_mock: HTTPXMock, client: RestClient,
                                 sleeps: Sleeps) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=429, headers={"Retry-After": "7"})
    httpx_mock.add_response(url=TOKEN_URL, status_code=503, headers={"Retry-After": "0"})
    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    client.video_token(47)
    assert sleeps == [7.0, 0.0]


def test_retries_stop_at_max_tries(httpx_mock: HTTPXMock, sleeps: Sleeps) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=503, is_reusable=True)
    with RestClient(BASE, JWT, max_tries=4, sleep=sleeps) as rest, \
            pytest.raises(ServerError, match="HTTP 503"):
        rest.video_token(47)
    assert len(httpx_mock.get_requests()) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_huge_retry_after_is_not_waited(httpx_mock: HTTPXMock, client: RestClient,
                                        sleeps: Sleeps) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=429, headers={"Retry-After": "3600"})
    with pytest.raises(ServerError, match="rate limiting"):
        client.video_token(47)
    assert sleeps == []


def test_a_retry_after_past_the_deadline_is_not_waited(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=503, headers={"Retry-After": "9"})
    time = FakeMonotonic()
    with RestClient(BASE, JWT, timeout=1, sleep=time.sleep, clock=time) as rest, \
            pytest.raises(ServerError) as info:
        rest.video_token(47)
    assert info.value.exit_code == ExitCode.SERVER_ERROR
    assert "HTTP 503" in info.value.message
    assert "not retried: the server asked to wait 9 s (Retry-After), past the 1 s --timeout" \
        in info.value.message
    assert time.sleeps == [] and len(httpx_mock.get_requests()) == 1


def test_waits_count_against_the_one_deadline(httpx_mock: HTTPXMock) -> None:
    """--timeout 5: the first 3 s wait fits, the second would pass the deadline."""
    httpx_mock.add_response(url=TOKEN_URL, status_code=503, headers={"Retry-After": "3"},
                            is_reusable=True)
    time = FakeMonotonic()
    with RestClient(BASE, JWT, timeout=5, sleep=time.sleep, clock=time) as rest, \
            pytest.raises(ServerError, match=r"wait 3 s \(Retry-After\), past the 5 s"):
        rest.video_token(47)
    assert time.sleeps == [3.0] and len(httpx_mock.get_requests()) == 2


def test_a_backoff_past_the_deadline_is_not_taken(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(connect_error(REFUSED), is_reusable=True)
    time = FakeMonotonic()
    with RestClient(BASE, JWT, timeout=1, sleep=time.sleep, clock=time) as rest, \
            pytest.raises(NetworkError) as info:
        rest.video_token(47)
    assert info.value.exit_code == ExitCode.NETWORK_ERROR
    assert info.value.message.startswith("connection refused by 127.0.0.1:8765")
    assert "not retried: the next try would be in 1 s, past the 1 s --timeout" \
        in info.value.message
    assert time.sleeps == [0.5] and len(httpx_mock.get_requests()) == 2


def test_the_deadline_covers_a_token_refresh_inside_the_call(httpx_mock: HTTPXMock) -> None:
    """A 401, a refresh and the second try share one deadline: the refresh's time counts."""
    time = FakeMonotonic()
    refreshed = make_jwt(lifetime=600)

    def slow_refresh() -> str:
        time.now += 4  # the refresh took 4 s of the 5
        return refreshed

    def tail(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=TOKEN_BODY)

    httpx_mock.add_response(url=TOKEN_URL, status_code=401)
    httpx_mock.add_callback(tail, url=TOKEN_URL)
    with RestClient(BASE, JWT, timeout=5, sleep=time.sleep, clock=time,
                    renew_jwt=slow_refresh) as rest:
        rest.video_token(47)
    second = httpx_mock.get_requests()[1]
    assert second.headers["Authorization"] == f"Bearer {refreshed}"
    assert second.extensions["timeout"]["read"] == 1.0  # what was left of the 5 s


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_post_is_never_replayed(httpx_mock: HTTPXMock, client: RestClient, sleeps: Sleeps,
                                status: int) -> None:
    httpx_mock.add_response(url=url("/api/appointments/video-room/47/"), method="POST",
                            status_code=status)
    with pytest.raises(ServerError):
        client.create_room(47)
    assert len(httpx_mock.get_requests()) == 1
    assert sleeps == []


def test_post_not_replayed_after_a_read_timeout(httpx_mock: HTTPXMock, client: RestClient,
                                                sleeps: Sleeps) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), method="POST")
    with pytest.raises(RequestTimeoutError):
        client.create_room(47)
    assert len(httpx_mock.get_requests()) == 1


def test_post_retried_only_when_nothing_was_sent(httpx_mock: HTTPXMock, client: RestClient,
                                                 sleeps: Sleeps) -> None:
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"))
    httpx_mock.add_response(url=url("/api/appointments/video-room/47/"), method="POST",
                            json={"appointment_id": 47, "room_name": ROOM, "created": True})
    assert client.create_room(47).created
    assert sleeps == [0.5]


# --- redirects, size cap, TLS options -------------------------------------------------------


def test_same_origin_redirect_followed_with_auth(httpx_mock: HTTPXMock,
                                                 client: RestClient) -> None:
    httpx_mock.add_response(url=url("/api/appointments/47/"), status_code=301,
                            headers={"Location": "/api/v2/appointments/47/"})
    httpx_mock.add_response(url=url("/api/v2/appointments/47/"), json=APPOINTMENT_BODY)
    assert client.appointment(47).id == 47
    second = httpx_mock.get_requests()[1]
    assert second.headers["Authorization"] == f"Bearer {JWT}"


@pytest.mark.parametrize(
    "target",
    ["http://evil.example/api/appointments/47/", "http://127.0.0.1:9999/api/appointments/47/",
     "https://127.0.0.1:8765/api/appointments/47/"],
)
def test_cross_origin_redirect_not_followed(httpx_mock: HTTPXMock, client: RestClient,
                                            target: str) -> None:
    httpx_mock.add_response(url=url("/api/appointments/47/"), status_code=302,
                            headers={"Location": target})
    with pytest.raises(ServerError, match="redirected to another host") as info:
        client.appointment(47)
    assert info.value.exit_code == ExitCode.SERVER_ERROR
    requests = httpx_mock.get_requests()
    assert [str(r.url) for r in requests] == [url("/api/appointments/47/")]


def test_http_to_https_upgrade_of_same_host_is_followed(httpx_mock: HTTPXMock,
                                                        sleeps: Sleeps) -> None:
    httpx_mock.add_response(url="http://api.example/api/appointments/47/", status_code=301,
                            headers={"Location": "https://api.example/api/appointments/47/"})
    httpx_mock.add_response(url="https://api.example/api/appointments/47/",
                            json=APPOINTMENT_BODY)
    with RestClient("http://api.example", JWT, sleep=sleeps) as rest:
        assert rest.appointment(47).id == 47


def test_post_redirect_to_get_is_refused(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=url("/api/appointments/video-room/47/"), method="POST",
                            status_code=302, headers={"Location": "/elsewhere/"})
    with pytest.raises(ServerError, match="redirect"):
        client.create_room(47)
    assert len(httpx_mock.get_requests()) == 1


def test_response_size_is_capped(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(url=TOKEN_URL, content=b"x" * (MAX_RESPONSE_BYTES + 1))
    with pytest.raises(ServerError, match="larger than 1024 KiB"):
        client.video_token(47)


def test_response_size_capped_while_streaming(httpx_mock: HTTPXMock, client: RestClient) -> None:
    chunk = b"y" * 65536
    httpx_mock.add_response(url=TOKEN_URL, stream=IteratorStream([chunk] * 20))
    with pytest.raises(ServerError, match="larger than"):
        client.video_token(47)


def test_missing_ca_bundle(tmp_path: object) -> None:
    with pytest.raises(UsageError, match="CA bundle"):
        RestClient("https://api.example", JWT, ca_bundle="/nonexistent/ca.pem")


def test_invalid_ca_bundle(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    bad = Path(str(tmp_path)) / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(UsageError, match="cannot load CA bundle"):
        RestClient("https://api.example", JWT, ca_bundle=str(bad))


# --- login ---------------------------------------------------------------------------------


def test_login_posts_credentials_without_bearer(httpx_mock: HTTPXMock, client: RestClient) -> None:
    access, refresh = make_jwt(), make_jwt(token_type="refresh")
    httpx_mock.add_response(url=url("/api/token/"), method="POST",
                            match_json={"username": "jane", "password": "pw-123456"},
                            json={"access": access, "refresh": refresh})
    assert client.login("/api/token/", "jane", "pw-123456") == (access, refresh)
    assert "Authorization" not in httpx_mock.get_requests()[0].headers


def test_login_refused(httpx_mock: HTTPXMock, client: RestClient) -> None:
    httpx_mock.add_response(
        url=url("/api/token/"), method="POST", status_code=401,
        json={"detail": "No active account found with the given credentials"},
    )
    with pytest.raises(AuthenticationError, match=r"login failed.*No active account"):
        client.login("/api/token/", "jane", "wrong-password")


def test_refresh_access(httpx_mock: HTTPXMock, client: RestClient) -> None:
    new = make_jwt()
    httpx_mock.add_response(url=url("/api/token/refresh/"), method="POST",
                            match_json={"refresh": "r-token-123"}, json={"access": new})
    assert client.refresh_access("/api/token/refresh/", "r-token-123") == (new, None)


# --- secrets never logged -----------------------------------------------------------------


def test_debug_logs_never_contain_the_jwt(httpx_mock: HTTPXMock, client: RestClient,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    httpx_mock.add_response(url=TOKEN_URL, status_code=503)
    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    client.video_token(47)
    assert caplog.records  # something was logged
    assert JWT not in caplog.text
    assert "video-token/47" in caplog.text


# --- a real socket (no mock): what httpx really raises ---------------------------------------


def test_real_connection_refused(sleeps: Sleeps) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    with RestClient(f"http://127.0.0.1:{port}", JWT, sleep=sleeps) as rest, \
            pytest.raises(NetworkError) as info:
        rest.video_token(47)
    assert "connection refused" in info.value.message
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("5", 5.0), ("0.25", 0.25), ("-3", 0.0), ("soon", None), ("", None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],  # a date in the past: retry now
)
def test_retry_after_parsing(header: str, expected: float | None) -> None:
    from vtctl.net.retry import retry_after

    assert retry_after(header) == expected


def test_retry_after_http_date_in_the_future() -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from vtctl.net.retry import retry_after

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    seconds = retry_after(later)
    assert seconds is not None and 25 < seconds <= 30


def test_garbage_retry_after_falls_back_to_backoff(httpx_mock: HTTPXMock, client: RestClient,
                                                   sleeps: Sleeps) -> None:
    httpx_mock.add_response(url=TOKEN_URL, status_code=503, headers={"Retry-After": "soon"})
    httpx_mock.add_response(url=TOKEN_URL, json=TOKEN_BODY)
    client.video_token(47)
    assert sleeps == [0.5]


def test_malformed_jwt_is_not_sent(httpx_mock: HTTPXMock, sleeps: Sleeps) -> None:
    with RestClient(BASE, "abc def\r\nX-Evil: 1", sleep=sleeps) as rest, \
            pytest.raises(AuthenticationError, match="malformed"):
        rest.video_token(47)
    assert httpx_mock.get_requests() == []


def test_tls_handshake_failure_on_a_plain_http_port(httpx_mock: HTTPXMock,
                                                     client: RestClient) -> None:
    httpx_mock.add_exception(connect_error(ssl.SSLError(1, "wrong version number")))
    with pytest.raises(NetworkError, match=r"TLS handshake with 127\.0\.0\.1:8765 failed") as info:
        client.video_token(47)
    assert info.value.hint is not None and "https" in info.value.hint


# --- only public httpx / httpcore ------------------------------------------------------------


def test_the_remote_package_uses_no_private_names_of_its_libraries() -> None:
    """Nothing under ``vtctl/remote/`` reads a private module or attribute (``_pool``,
    ``_network_backend``, ``httpx._config``): only our own objects' (``self._x``)."""
    import ast
    from pathlib import Path

    import vtctl.remote

    found = []
    for path in sorted(Path(vtctl.remote.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom | ast.Import):
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [
                    alias.name for alias in node.names]
                found += [f"{path.name}: import {m}" for m in modules
                          if any(p.startswith("_") for p in m.split(".")[1:])]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                    and not node.attr.startswith("__") \
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                found.append(f"{path.name}:{node.lineno}: .{node.attr}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in ("getattr", "setattr") and len(node.args) > 1 \
                    and isinstance(node.args[1], ast.Constant) \
                    and str(node.args[1].value).startswith("_"):
                found.append(f"{path.name}:{node.lineno}: {node.func.id} {node.args[1].value}")
    assert found == []
