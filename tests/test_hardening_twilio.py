"""Everything from Twilio crosses one boundary (``vtctl.twilio_video.client``): read with a
size and time bound, validated, made printable and stripped of the API secret.

Issue 23's findings about Twilio's replies, each reproduced here: paging that never
ends (1), a reply or a command that outlasts ``--timeout`` (2), unbounded and
compressed bodies (3), escape sequences (4) and the echoed secret (5) on the
terminal, in ``--debug`` and in ``serve``'s video-status, ``Retry-After: 0`` (15),
deep nesting (16), lone surrogates (17), a fan-out of 1,000 track requests (18).
The last part feeds every command that talks to Twilio (found by walking the
click command tree) a hostile reply of each kind.
"""

from __future__ import annotations

import ast
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.fake_clock import FakeMonotonic
from tests.helpers import ROOM_47, make_store
from tests.hostile_twilio import (
    ECHO,
    ESCAPES,
    HOSTILE_REPLIES,
    NESTED,
    SECRET_FORMS,
    FakeVideoApi,
    bomb,
    drip,
    endless,
    loopback_twilio,
    slow_but_well_formed,
)
from tests.twilio_fakes import participant_body, room_body, track_body
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import ExitCode, RequestTimeoutError, ServerError
from vtctl.domain.models import Appointment, User
from vtctl.twilio_video.reply import MAX_REPLY_BYTES
from vtctl.util.text import has_control

SRC = Path(__file__).resolve().parent.parent / "src" / "vtctl"
BASE = "https://video.twilio.com/v1"
ROOM_SID = "RM" + "a1" * 16
#: a piece of the secret: not even part of it may show (a table cuts long cells short)
SECRET_PART = TEST_API_SECRET[16:24]
CREDENTIALS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
APPOINTMENT = Appointment(
    id=47, patient_id=2, psychologist_id=5, duration_minutes=60, video_room_id=ROOM_47,
    patient=User(2, "jane.doe@example.com", "Jane Doe", "patient"),
    psychologist=User(5, "sarah@example.com", "Dr. Sarah", "psychologist"),
)
#: what an unexpected exception would print (exit 1): never on a hostile reply
CRASH_WORDS = ("Traceback", "RecursionError", "MemoryError", "UnicodeEncodeError",
               "UnicodeDecodeError", "JSONDecodeError", "KeyError", "TypeError", "internal error")


pytestmark = pytest.mark.usefixtures("root_logger_restored")


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(make_store(tmp_path / "store.sqlite3"))


@pytest.fixture
def local(cli: Any, twilio_env: dict[str, str], store: str) -> Any:
    def run(*args: str) -> Any:
        return cli(*args, "--local", "--store", store)
    return run


def clean(text: str) -> bool:
    """No terminal control in ``text`` other than line ends and the tabs of piped output."""
    return not has_control(text.replace("\n", "").replace("\t", ""))


def assert_hygienic(result: Any) -> None:
    for stream in (result.stdout, result.stderr):
        assert clean(stream), repr(stream[-400:])
        joined = "".join(stream.split())  # a table may wrap the secret over lines
        for secret in (*SECRET_FORMS, SECRET_PART):
            assert secret not in joined
    assert "\r" not in result.stderr


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


# -- 1. paging ends ------------------------------------------------------------------------


def rooms_url(query: str) -> str:
    return f"{BASE}/Rooms?{query}"


def rooms_page(url: str, rooms: list[dict[str, Any]], next_url: str | None) -> dict[str, Any]:
    meta = {"page": 0, "page_size": 50, "first_page_url": url, "previous_page_url": None,
            "url": url, "next_page_url": next_url, "key": "rooms"}
    return {"rooms": rooms, "meta": meta}


def a_room(n: int) -> dict[str, Any]:
    return room_body("completed", sid=f"RM{n:032x}", unique_name=f"apt-47-17631{n:05d}-0a1b2c3d")


def count_participants(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    return httpx.Response(200, json={"participants": [], "meta": {
        "page": 0, "page_size": 50, "url": url, "next_page_url": None, "key": "participants"}})


def mock_counts(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_callback(count_participants, url=re.compile(
        r".*/Rooms/RM[0-9a-f]{32}/Participants.*"), is_reusable=True, is_optional=True)


def room_requests(httpx_mock: HTTPXMock) -> list[httpx.Request]:
    return [r for r in httpx_mock.get_requests() if r.url.path == "/v1/Rooms"]


def test_a_next_page_link_to_the_same_page_stops_paging(local: Any,
                                                        httpx_mock: HTTPXMock) -> None:
    url = rooms_url("PageSize=20")
    httpx_mock.add_response(url=url, json=rooms_page(url, [a_room(1)], url), is_reusable=True)
    mock_counts(httpx_mock)
    result = local("room", "list", "--json")
    assert result.exit_code == 0, result.stderr
    assert [room["sid"] for room in json.loads(result.stdout)] == [f"RM{1:032x}"]
    assert len(room_requests(httpx_mock)) <= 2  # was: until killed


def test_pages_that_point_at_each_other_list_each_room_once(local: Any,
                                                            httpx_mock: HTTPXMock) -> None:
    first, second = rooms_url("PageSize=20"), rooms_url("PageSize=20&Page=1&PageToken=PA1")
    httpx_mock.add_response(url=first, json=rooms_page(first, [a_room(1)], second),
                            is_reusable=True)
    httpx_mock.add_response(url=second, json=rooms_page(second, [a_room(1)], first),
                            is_reusable=True)
    mock_counts(httpx_mock)
    result = local("room", "list", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 1
    assert len(room_requests(httpx_mock)) <= 3


def test_paging_stops_at_the_page_cap(local: Any, httpx_mock: HTTPXMock) -> None:
    """Every page a new room and a new link: vtctl stops after MAX_PAGES pages."""
    from vtctl.twilio_video.paging import MAX_PAGES

    def endless_pages(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("Page", "0"))
        url = str(request.url)
        following = rooms_url(f"PageSize=50&Page={n + 1}&PageToken=PA{n + 1}")
        return httpx.Response(200, json=rooms_page(url, [a_room(n)], following))

    httpx_mock.add_callback(endless_pages, url=re.compile(
        r".*/v1/Rooms\?.*"), is_reusable=True)
    mock_counts(httpx_mock)
    result = local("room", "list", "--limit", "1000", "--json")
    assert result.exit_code == 0, result.stderr
    assert len(room_requests(httpx_mock)) == MAX_PAGES
    sids = [room["sid"] for room in json.loads(result.stdout)]
    assert len(sids) == len(set(sids)) == MAX_PAGES


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == name]


def twilio_modules() -> list[Path]:
    """Every module that reads Twilio: the package, and whatever opens a session."""
    return sorted({*(SRC / "twilio_video").glob("*.py"),
                   *(p for p in SRC.rglob("*.py") if "twilio_session(" in p.read_text())})


def test_every_paged_twilio_call_goes_through_the_paging_helper() -> None:
    """``.page(...)`` is only ever read through ``paged_records`` or ``records`` (as their
    first argument, or a name given to them as such); twilio's own pagers (``.list``,
    ``.stream``, which follow every link) and ``.next_page`` are not used."""
    checked = 0
    for path in twilio_modules():
        tree = ast.parse(path.read_text())
        readers = [call for call in ast.walk(tree) if isinstance(call, ast.Call) and call.args
                   and getattr(call.func, "id", getattr(call.func, "attr", None))
                   in ("paged_records", "records")]
        wrapped = {id(call.args[0]) for call in readers}
        read_names = {call.args[0].id for call in readers if isinstance(call.args[0], ast.Name)}
        wrapped |= {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id in read_names
                            for t in node.targets)}
        for call in _calls(tree, "page"):
            checked += 1
            assert id(call) in wrapped, f"{path.name}:{call.lineno} pages without paged_records"
        for pager in ("stream", "list", "stream_async", "list_async"):
            assert not _calls(tree, pager), f"{path.name} uses twilio's own pager .{pager}()"
        if path.name != "paging.py":
            assert not _calls(tree, "next_page"), f"{path.name} follows links itself"
    assert checked >= 5  # rooms, participants, tracks, the completed lookup, counts


# -- 2. one deadline per reply, one budget per command -------------------------------------


@pytest.fixture
def loopback_env(twilio_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    def aim(url: str) -> None:
        monkeypatch.setenv("VTCTL_TWILIO_API_URL", url)
    return aim


def test_a_dripping_reply_ends_at_the_timeout(local: Any, loopback_env: Any) -> None:
    with loopback_twilio(drip) as server:
        loopback_env(server.url)
        result = local("status", "47", "--timeout", "1")
        assert server.hung_up.wait(10), "vtctl read the whole 20 s drip"
    assert result.exit_code == ExitCode.NETWORK_ERROR, result.stderr
    assert "Twilio did not answer within 1 s" in result.stderr
    assert len(server.requests) == 1


def test_the_timeout_is_one_budget_for_all_of_a_commands_requests(local: Any,
                                                                   loopback_env: Any) -> None:
    """Each reply comes in 0.4 s; status needs 5 of them: with --timeout 1 it gives up."""
    with loopback_twilio(slow_but_well_formed(0.4)) as server:
        loopback_env(server.url)
        result = local("status", "47", "--timeout", "1")
    assert result.exit_code == ExitCode.NETWORK_ERROR, result.stderr
    assert "Twilio did not answer within 1 s" in result.stderr
    assert 1 <= len(server.requests) <= 3  # per request, all 5 would have been answered


def test_the_budget_counts_every_request_on_the_clock(httpx_mock: HTTPXMock) -> None:
    """Seven requests of 2 s each against a 3 s budget: the third is never sent."""
    from vtctl.twilio_video.client import twilio_budget
    from vtctl.twilio_video.rooms import fetch_room_status

    clock = FakeMonotonic()
    api = FakeVideoApi(connected=4)

    def slow(request: httpx.Request) -> httpx.Response:
        clock.now += 2
        return api(request)

    httpx_mock.add_callback(slow, is_reusable=True)
    with pytest.raises(RequestTimeoutError, match=r"did not answer within 3 s"):
        fetch_room_status(CREDENTIALS, APPOINTMENT, budget=twilio_budget(3, clock))
    assert len(api.requests) == 2


def test_the_local_backend_hands_one_budget_to_the_session(
        monkeypatch: pytest.MonkeyPatch, twilio_env: dict[str, str], tmp_path: Path) -> None:
    import vtctl.twilio_video.rooms
    from vtctl.backends.local import LocalBackend
    from vtctl.local.store import AppointmentStore

    seen: list[Any] = []

    def fetch(credentials: Any, appointment: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["budget"])
        raise ServerError("stop here")

    monkeypatch.setattr(vtctl.twilio_video.rooms, "fetch_room_status", fetch)
    store = AppointmentStore.open(make_store(tmp_path / "s.sqlite3"))
    backend = LocalBackend(store, timeout=3)
    with pytest.raises(ServerError):
        backend.room_status(47)
    store.close()
    assert seen[0].seconds == 3 and 0 < seen[0].left() <= 3


# -- 3. bounded size and decompression -----------------------------------------------------


@pytest.mark.parametrize("behaviour", [bomb, endless], ids=["gzip bomb", "endless body"])
def test_a_reply_is_read_up_to_the_cap_decoded(local: Any, loopback_env: Any,
                                               behaviour: Any) -> None:
    with loopback_twilio(behaviour) as server:
        loopback_env(server.url)
        result = local("status", "47", "--timeout", "20")
    assert result.exit_code == ExitCode.SERVER_ERROR, result.stderr
    assert "Twilio's reply is larger than 4 MiB" in result.stderr
    assert_hygienic(result)


def test_a_declared_oversize_body_is_not_read(httpx_mock: HTTPXMock) -> None:
    from vtctl.twilio_video.rooms import fetch_room_status

    httpx_mock.add_response(content=b" " * (MAX_REPLY_BYTES + 1))
    with pytest.raises(ServerError, match="larger than 4 MiB"):
        fetch_room_status(CREDENTIALS, APPOINTMENT)


# -- 4, 5. printable, and no secret: the terminal, --debug, serve --------------------------


@pytest.mark.parametrize("command", [("status", "47"), ("room", "list"),
                                     ("room", "end", "47", "--yes"),
                                     ("room", "kick", "47", "2", "--yes")])
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "--debug"])
def test_an_echoing_proxy_never_shows_the_secret(local: Any, httpx_mock: HTTPXMock,
                                                 command: tuple[str, ...], debug: bool) -> None:
    httpx_mock.add_response(status_code=500, is_reusable=True, json={
        "code": 20500, "message": ECHO + ESCAPES, "more_info": ECHO, "status": 500})
    result = local(*(("--debug",) if debug else ()), *command)
    assert result.exit_code == ExitCode.SERVER_ERROR, result.stderr
    assert_hygienic(result)
    assert "[redacted]" in result.stderr  # the rest of the message is still there


def test_diagnose_does_not_print_the_echoed_secret_on_stdout(local: Any,
                                                             httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=500, is_reusable=True,
                            json={"code": 20500, "message": ECHO, "status": 500})
    result = local("diagnose", "47")
    assert "Twilio" in result.stdout and "[redacted]" in result.stdout
    assert_hygienic(result)


def test_twilio_errors_are_one_printable_line(local: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=400, is_reusable=True,
                            json={"code": 53000, "message": ESCAPES * 50, "status": 400})
    result = local("status", "47")
    assert result.exit_code == ExitCode.SERVER_ERROR
    assert_hygienic(result)
    (line,) = error_lines(result.stderr)
    assert "Twilio error 53000" in line and len(line) < 400


@pytest.fixture
def serve_client(tmp_path: Path) -> Iterator[Any]:
    import warnings

    from vtctl.local.store import AppointmentStore
    from vtctl.server.app import create_asgi
    from vtctl.server.auth import JwtAuthority
    from vtctl.server.state import CachedStore, ServerState

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    path = make_store(tmp_path / "store.sqlite3")
    state = ServerState.open(CachedStore.open(path), AppointmentStore.open(path),
                             JwtAuthority("s" * 40), CREDENTIALS, None)
    import jwt as pyjwt

    token = pyjwt.encode({"token_type": "access", "user_id": 2, "jti": "j", "iat": 1763000000,
                          "exp": 4102444800}, "s" * 40, algorithm="HS256")
    with TestClient(create_asgi(state, access_log=False), base_url="http://localhost") as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client
    state.close()


@pytest.mark.parametrize(("status", "message", "reason"), [
    (500, ECHO + ESCAPES, "twilio-error"),
    (401, ECHO, "twilio-rejected-credentials"),
    (404, ECHO, "twilio-error"),
], ids=["500", "401", "404 of a participant list"])
def test_serve_relays_no_upstream_text(serve_client: Any, httpx_mock: HTTPXMock,
                                       caplog: pytest.LogCaptureFixture, status: int,
                                       message: str, reason: str) -> None:
    if status == 404:  # the room is found; its participant list is not
        httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_47}", json=room_body())
    httpx_mock.add_response(status_code=status, is_reusable=True,
                            json={"code": 20000 + status, "message": message, "status": status})
    with caplog.at_level("WARNING", logger="vtctl.serve"):
        response = serve_client.get("/api/appointments/video-status/47/")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["unknown_reason"]) == ("unknown", reason)
    for secret in SECRET_FORMS:
        assert secret not in response.text
    assert "proxy" not in data["message"] and "pwned" not in data["message"]
    reference = re.search(r"\(reference ([0-9a-f]{12});", data["message"]).group(1)
    logged = [r.getMessage() for r in caplog.records if reference in r.getMessage()]
    assert len(logged) == 1 and "[redacted]" in logged[0]
    assert clean(logged[0]) and TEST_API_SECRET not in logged[0]


# -- 15. Retry-After: 0 --------------------------------------------------------------------


@pytest.mark.parametrize("header", [{"Retry-After": "0"}, {}], ids=["Retry-After: 0", "none"])
@pytest.mark.parametrize(("budget", "sleeps"), [(30.0, [0.5, 1.0, 2.0]), (3.0, [0.5, 1.0])])
def test_429_backs_off_from_a_floor_within_the_budget(httpx_mock: HTTPXMock,
                                                      header: dict[str, str], budget: float,
                                                      sleeps: list[float]) -> None:
    from vtctl.twilio_video.client import make_http_client, twilio_budget
    from vtctl.twilio_video.rooms import fetch_room_status

    clock = FakeMonotonic()
    httpx_mock.add_response(status_code=429, headers=header, is_reusable=True,
                            json={"code": 20429, "message": "Too Many Requests", "status": 429})
    http = make_http_client(budget, sleep=clock.sleep, clock=clock)
    with pytest.raises(ServerError, match="rate limiting"):
        fetch_room_status(CREDENTIALS, APPOINTMENT, http, budget=twilio_budget(budget, clock))
    assert clock.sleeps == sleeps
    assert len(httpx_mock.get_requests()) == len(sleeps) + 1


# -- 16, 17. nesting and lone surrogates ---------------------------------------------------


def test_deeply_nested_json_is_exit_6_with_a_clear_line(local: Any,
                                                        httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(content=NESTED, headers={"Content-Type": "application/json"})
    result = local("status", "47")
    assert result.exit_code == ExitCode.SERVER_ERROR, result.stderr
    (line,) = error_lines(result.stderr)
    assert "Twilio's reply is nested deeper than" in line
    assert_hygienic(result)


def test_lone_surrogates_are_shown_as_question_marks(local: Any, httpx_mock: HTTPXMock) -> None:
    room = json.dumps(room_body()).replace('"group"', '"gr\\ud800oup"')
    people = {"participants": [participant_body("2-jane.doe@example.com", 2),
                               participant_body("9-\\udfffx@example.com", 3)],
              "meta": {"key": "participants", "next_page_url": None}}
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_47}", content=room.encode(),
                            is_reusable=True)
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}/Participants?Status=connected"
                                "&PageSize=50", content=json.dumps(people).replace(
                                    "\\\\udfff", "\\udfff").encode(), is_reusable=True)
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_SID}/Participants?Status=disconnected"
                                "&PageSize=20", json={"participants": [], "meta": {
                                    "key": "participants", "next_page_url": None}},
                            is_reusable=True)
    for n in (2, 3):
        sid = f"PA{n:032x}"
        httpx_mock.add_response(
            url=f"{BASE}/Rooms/{ROOM_SID}/Participants/{sid}/PublishedTracks?PageSize=50",
            json={"published_tracks": [track_body(sid, "audio", 1)],
                  "meta": {"key": "published_tracks", "next_page_url": None}}, is_reusable=True)
    for fmt in ((), ("--json",)):
        result = local("status", "47", *fmt)
        assert result.exit_code == 0, result.stderr
        assert "gr?oup" in result.stdout and "9-?x@example.com" in result.stdout
        assert_hygienic(result)


def test_a_malformed_sid_is_not_sent_back_to_twilio(local: Any, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/Rooms/{ROOM_47}",
                            json=room_body(sid="../../v1/Rooms/RM" + "0" * 32))
    result = local("status", "47")
    assert result.exit_code == ExitCode.SERVER_ERROR, result.stderr
    assert "malformed room SID" in result.stderr
    assert len(httpx_mock.get_requests()) == 1


# -- 18. our own page size, a bounded fan-out, bounded concurrency -------------------------


def test_a_thousand_participants_page_causes_at_most_fifty_track_requests(
        local: Any, httpx_mock: HTTPXMock) -> None:
    from vtctl.twilio_video.paging import MAX_CONCURRENT_REQUESTS

    api = FakeVideoApi()
    crowd = {"participants": [{"sid": f"PA{n:032x}", "identity": f"{n}-x@example.com",
                               "status": "connected"} for n in range(1000)],
             "meta": {"key": "participants", "next_page_url": None}}
    lock = threading.Lock()
    active = {"now": 0, "most": 0, "started": 0}
    together = threading.Barrier(MAX_CONCURRENT_REQUESTS)

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("Status") == "connected":
            return httpx.Response(200, json=crowd)
        if "/PublishedTracks" not in request.url.path:
            return api(request)
        with lock:
            active["now"] += 1
            active["started"] += 1
            active["most"] = max(active["most"], active["now"])
            first = active["started"] <= MAX_CONCURRENT_REQUESTS
        try:
            if first:  # the first few meet here: they run at the same time
                together.wait(timeout=10)
            return api(request)
        finally:
            with lock:
                active["now"] -= 1

    httpx_mock.add_callback(answer, is_reusable=True)
    result = local("status", "47", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["participant_count"] == 50
    assert active["started"] == 50
    assert active["most"] == MAX_CONCURRENT_REQUESTS


def test_fan_out_keeps_order_and_raises_the_first_failure() -> None:
    from vtctl.twilio_video.paging import fan_out

    assert fan_out(lambda n: n * n, list(range(20))) == [n * n for n in range(20)]

    def fail_on_3(n: int) -> int:
        if n == 3:
            raise ServerError("three")
        return n

    with pytest.raises(ServerError, match="three"):
        fan_out(fail_on_3, list(range(8)))


# -- every command that talks to Twilio, every hostile reply -------------------------------

#: a value for each argument a Twilio command takes (a new one fails the walk until added)
SAMPLES = {"appointment_id": "47", "room": "47", "identity": "2", "appointment_ids": "47"}
#: the commands that must be found talking to Twilio (the walk finds them, this checks the walk)
KNOWN = {"status", "status --watch", "diagnose", "room participants", "room list", "room end",
         "room kick"}


def backend_commands() -> list[tuple[str, list[str]]]:
    """(name, argv) for every leaf command with ``--local``, and ``--watch`` variants."""
    from tests.cli_tree import leaves

    found: list[tuple[str, list[str]]] = []
    for path, command in sorted(leaves(), key=lambda leaf: leaf[0]):
        options = {opt for param in command.params for opt in param.opts}
        if "--local" not in options:
            continue
        argv = list(path)
        for param in command.params:
            if param.param_type_name == "argument" and param.required:
                assert param.name in SAMPLES, f"{' '.join(path)}: add a sample {param.name}"
                argv.append(SAMPLES[param.name])
        argv += ["--yes"] if "--yes" in options else []
        argv += ["--timeout", "20"] if "--timeout" in options else []
        found.append((" ".join(path), argv))
        if "--watch" in options:
            found.append((" ".join(path) + " --watch", [*argv, "--watch"]))
    return found


COMMANDS = backend_commands()


def run_against(cli: Any, store: str, argv: list[str], monkeypatch: pytest.MonkeyPatch,
                debug: bool = False) -> Any:
    ticks = iter(range(2))

    def one_refresh(seconds: float) -> None:  # --watch: stop after the second refresh
        if next(ticks, None) is None:
            raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", one_refresh)
    return cli(*(["--debug"] if debug else []), *argv, "--local", "--store", store)


def test_the_walk_finds_every_command_that_talks_to_twilio(
        cli: Any, twilio_env: dict[str, str], store: str, httpx_mock: HTTPXMock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    api = FakeVideoApi()
    httpx_mock.add_callback(api, is_reusable=True, is_optional=True)
    talking = set()
    for name, argv in COMMANDS:
        before = len(api.requests)
        result = run_against(cli, store, argv, monkeypatch)
        assert result.exit_code != ExitCode.UNEXPECTED, (name, result.stderr)
        if len(api.requests) > before:
            talking.add(name)
    assert talking >= KNOWN, f"not found talking to Twilio: {KNOWN - talking}"


@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
@pytest.mark.parametrize("kind", list(HOSTILE_REPLIES))
@pytest.mark.parametrize(("name", "argv"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_twilio_command_survives_every_hostile_reply(
        cli: Any, twilio_env: dict[str, str], store: str, httpx_mock: HTTPXMock,
        monkeypatch: pytest.MonkeyPatch, name: str, argv: list[str], kind: str) -> None:
    callback, is_error = HOSTILE_REPLIES[kind]
    httpx_mock.add_callback(callback, is_reusable=True, is_optional=True)
    for debug in (False, True):
        result = run_against(cli, store, argv, monkeypatch, debug=debug)
        assert result.exit_code != ExitCode.UNEXPECTED, result.stderr
        assert_hygienic(result)
        if not debug:
            assert not any(word in result.stdout + result.stderr for word in CRASH_WORDS), \
                result.stderr
        if not httpx_mock.get_requests():
            return  # this command does not talk to Twilio
        if is_error and "--watch" not in argv:
            # exit 6; or a checklist (diagnose) that reports Twilio's check as not run
            assert result.exit_code in (ExitCode.SERVER_ERROR, ExitCode.SMOKE_FAILED) \
                or "Twilio's view of the room is unknown" in result.stdout, result.stderr
            assert len(error_lines(result.stderr)) <= 1
