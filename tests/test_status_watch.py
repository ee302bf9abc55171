"""``vtctl status --watch``: the watch loop over a sequence of status results,
with a fake clock and a fake sleep (no real sleeping)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.console import Console

from tests.helpers import appointment, make_store
from tests.twilio_fakes import mock_tracks
from vtctl.cli.status import StatusOptions, WatchState, run_status, watch
from vtctl.domain.errors import (
    AuthenticationError,
    NetworkError,
    RequestTimeoutError,
    ServerError,
    UsageError,
    VtctlError,
)
from vtctl.domain.models import VideoToken
from vtctl.domain.room_info import RoomInfo
from vtctl.domain.room_ref import RoomRef, parse_room_ref
from vtctl.domain.room_state import Participant, RoomStatus
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat
from vtctl.ui.render.status import participant_changes, status_sheet

ROOM = "apt-47-1763138954-46eb915c"
T0 = datetime(2025, 11, 16, 9, 0, tzinfo=UTC)
JANE = "2-jane.doe@example.com"
SARAH = "5-sarah@example.com"


def person(identity: str, role: str, minute: int, status: str = "connected") -> Participant:
    return Participant(identity, status, f"PA{minute}", role, T0 + timedelta(minutes=minute))


def room(*people: Participant, status: str = "in-progress") -> RoomStatus:
    return RoomStatus(
        appointment_id=47, room_name=ROOM, status=status, sid="RM" + "a1" * 16,
        room_type="group", created_at=T0, max_participants=50, participants=people,
    )


SARAH_ONLY = room(person(SARAH, "psychologist", 1))
BOTH = room(person(SARAH, "psychologist", 1), person(JANE, "patient", 3))
JANE_LEFT = room(person(SARAH, "psychologist", 1), person(JANE, "patient", 3, "disconnected"))


def text_of(renderable: Any) -> str:
    out = io.StringIO()
    Console(file=out, width=160, force_terminal=False, color_system=None).print(renderable)
    return out.getvalue()


class Clock:
    def __init__(self) -> None:
        self.now = T0 + timedelta(minutes=5)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Script:
    """A fetch that plays back results (RoomStatus or exception) and a fake sleep."""

    results: list[RoomStatus | BaseException]
    clock: Clock = field(default_factory=Clock)
    sleeps: list[float] = field(default_factory=list)
    calls: int = 0
    #: raise KeyboardInterrupt from the sleep after the last result (Ctrl-C)
    interrupt_at_end: bool = True

    def fetch(self) -> RoomStatus:
        result = self.results[self.calls]
        self.calls += 1
        if isinstance(result, BaseException):
            raise result
        return result

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)
        if self.interrupt_at_end and self.calls >= len(self.results):
            raise KeyboardInterrupt


def streams(terminal: bool = False) -> tuple[IOStreams, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return IOStreams(out=out, err=err, force_terminal=terminal, width=160), out, err


# -- the pure state -------------------------------------------------------------------


def test_joined_then_network_error_then_recovery_with_a_departure() -> None:
    state = WatchState(47, interval=3)
    now = T0 + timedelta(minutes=5)

    events = state.step(SARAH_ONLY, now)
    assert [e.kind for e in events] == ["status"]
    assert "room in-progress, 1 connected" in events[0].text
    first = text_of(state.view())
    assert SARAH in first and "joined" not in first and "left" not in first

    events = state.step(BOTH, now + timedelta(seconds=3))
    assert [(e.kind, e.text) for e in events] == [("joined", f"{JANE} (patient)")]
    view = text_of(state.view())
    jane_row = next(line for line in view.splitlines() if line.startswith(JANE))
    assert "connected  joined" in jane_row
    sarah_row = next(line for line in view.splitlines() if line.startswith(SARAH))
    assert "joined" not in sarah_row
    assert "Participants (2 connected)" in view

    events = state.step(NetworkError("cannot reach Twilio: connection refused"),
                        now + timedelta(seconds=6))
    assert [e.kind for e in events] == ["error"]
    view = text_of(state.view())
    assert "! network error: cannot reach Twilio: connection refused" in view
    assert "retrying in 3 s" in view
    assert "showing data from 2025-11-16T09:05:03Z" in view
    assert JANE in view and "Participants (2 connected)" in view  # the last good data stays

    events = state.step(JANE_LEFT, now + timedelta(seconds=9))
    assert [(e.kind, e.text) for e in events] == [
        ("recovered", "answers again"), ("left", f"{JANE} (patient)"),
    ]
    view = text_of(state.view())
    assert "network error" not in view.split("recent events")[0]  # the banner is gone
    jane_row = next(line for line in view.splitlines() if line.startswith(JANE))
    assert "disconnected  left" in jane_row
    assert "Participants (1 connected)" in view
    # the event log keeps the story
    log = view.split("recent events")[1]
    assert [kind for kind in ("status", "joined", "error", "recovered", "left") if kind in log] == [
        "status", "joined", "error", "recovered", "left",
    ]
    assert "2025-11-16T09:05:03Z  joined" in log


def test_someone_who_vanishes_from_the_list_is_shown_as_left() -> None:
    state = WatchState(47)
    state.step(BOTH, T0)
    events = state.step(SARAH_ONLY, T0 + timedelta(seconds=3))
    assert [(e.kind, e.text) for e in events] == [("left", f"{JANE} (patient)")]
    view = text_of(state.view())
    jane_row = next(line for line in view.splitlines() if line.startswith(JANE))
    assert "disconnected  left" in jane_row


def test_highlight_lasts_one_refresh() -> None:
    state = WatchState(47)
    state.step(SARAH_ONLY, T0)
    state.step(BOTH, T0 + timedelta(seconds=3))
    assert "joined" in text_of(state.view()).split("recent events")[0]
    assert state.step(BOTH, T0 + timedelta(seconds=6)) == []
    assert "joined" not in text_of(state.view()).split("recent events")[0]


def test_room_status_changes_are_events() -> None:
    state = WatchState(47)
    not_created = RoomStatus(47, ROOM, "not-created", participant_count=0,
                             message="created when the first participant connects")
    events = state.step(not_created, T0)
    assert events[0].kind == "status" and "room not-created, 0 connected" in events[0].text
    events = state.step(SARAH_ONLY, T0 + timedelta(seconds=3))
    assert [e.kind for e in events] == ["status", "joined"]
    assert "room in-progress" in events[0].text
    done = room(person(SARAH, "psychologist", 1, "disconnected"), status="completed")
    events = state.step(done, T0 + timedelta(seconds=6))
    assert [e.kind for e in events] == ["status", "left"]


def test_same_error_twice_is_one_event_and_server_errors_are_transient() -> None:
    state = WatchState(47)
    state.step(SARAH_ONLY, T0)
    assert len(state.step(RequestTimeoutError("Twilio did not answer within 10 s"), T0)) == 1
    assert state.step(RequestTimeoutError("Twilio did not answer within 10 s"), T0) == []
    events = state.step(ServerError("Twilio failed (HTTP 503)"), T0)
    assert [(e.kind, e.text) for e in events] == [
        ("error", "server error: Twilio failed (HTTP 503)")
    ]
    assert state.current == SARAH_ONLY


def test_error_before_any_data() -> None:
    state = WatchState(47, interval=0.5)
    state.step(NetworkError("cannot reach Twilio"), T0)
    view = text_of(state.view())
    assert "! network error: cannot reach Twilio (retrying in 0.5 s)" in view
    assert "Video room" not in view


@pytest.mark.parametrize(
    "error", [AuthenticationError("Twilio rejected the credentials"), ValueError("bug")]
)
def test_other_errors_end_the_watch(error: Exception) -> None:
    state = WatchState(47)
    state.step(SARAH_ONLY, T0)
    with pytest.raises(type(error)):
        state.step(error, T0)


def test_event_log_is_bounded() -> None:
    state = WatchState(47, history=3)
    for i in range(6):
        state.step(BOTH if i % 2 else SARAH_ONLY, T0 + timedelta(seconds=3 * i))
    assert len(state.events) == 3
    assert state.events[-1].kind == "joined"


def test_participant_changes_without_previous_is_empty() -> None:
    assert not participant_changes(None, BOTH)
    changes = participant_changes(SARAH_ONLY, BOTH)
    assert [p.identity for p in changes.joined] == [JANE] and changes.left == ()


# -- the loop -------------------------------------------------------------------------


def test_watch_lines_when_not_a_terminal() -> None:
    script = Script([SARAH_ONLY, BOTH, NetworkError("cannot reach Twilio"), JANE_LEFT])
    io_, out, err = streams(terminal=False)
    state = watch(script.fetch, io_, 47, 3.0, sleep=script.sleep, clock=script.clock)

    assert script.calls == 4
    assert script.sleeps == [3.0, 3.0, 3.0, 3.0]  # the last sleep is where Ctrl-C came
    assert state.ticks == 4
    text = out.getvalue()
    assert text.count("room\tapt-47-") == 1  # the status's plain lines once, no table
    assert not re.search("[│┃━─]", text)
    lines = [line for line in text.splitlines() if line.startswith("2025-")]
    assert lines == [
        "2025-11-16T09:05:00Z\tstatus\troom in-progress, 1 connected",
        f"2025-11-16T09:05:03Z\tjoined\t{JANE} (patient)",
        f"2025-11-16T09:05:09Z\tleft\t{JANE} (patient)",
    ]
    assert err.getvalue().splitlines() == [
        "2025-11-16T09:05:06Z  error      network error: cannot reach Twilio (retrying in 3 s)",
        "2025-11-16T09:05:09Z  recovered  answers again",
    ]


def test_watch_live_on_a_terminal_and_ctrl_c_restores_it() -> None:
    script = Script([SARAH_ONLY, NetworkError("cannot reach Twilio"), BOTH])
    io_, out, _ = streams(terminal=True)
    state = watch(script.fetch, io_, 47, 2.0, sleep=script.sleep, clock=script.clock)

    assert script.calls == 3 and script.sleeps == [2.0, 2.0, 2.0]
    assert state.current == BOTH and state.error is None
    raw = out.getvalue()
    assert "\x1b[?25l" in raw  # cursor hidden while live ...
    assert raw.rindex("\x1b[?25h") > raw.rindex("\x1b[?25l")  # ... and shown again after Ctrl-C
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)
    assert "Watching appointment 47" in screen
    assert "network error: cannot reach Twilio" in screen  # shown during the outage
    assert "joined" in screen and JANE in screen


def test_watch_stops_after_max_ticks_without_sleeping_at_the_end() -> None:
    script = Script([SARAH_ONLY, BOTH], interrupt_at_end=False)
    io_, _, _ = streams()
    watch(script.fetch, io_, 47, 3.0, sleep=script.sleep, clock=script.clock, max_ticks=2)
    assert script.sleeps == [3.0]


def test_fatal_error_propagates_after_restoring_the_terminal() -> None:
    script = Script([SARAH_ONLY, AuthenticationError("Twilio rejected the credentials")])
    io_, out, _ = streams(terminal=True)
    with pytest.raises(AuthenticationError):
        watch(script.fetch, io_, 47, 3.0, sleep=script.sleep, clock=script.clock)
    assert "\x1b[?25h" in out.getvalue()


# -- run_status with a fake backend ---------------------------------------------------


class FakeBackend:
    name = "fake"

    def __init__(self, results: list[RoomStatus | VtctlError]) -> None:
        self.results = iter(results)
        self.closed = False

    def room_status(self, appointment_id: int) -> RoomStatus:
        assert appointment_id == 47
        result = next(self.results)
        if isinstance(result, VtctlError):
            raise result
        return result

    def resolve_room(self, ref: RoomRef) -> int:
        assert ref.appointment_id is not None
        return ref.appointment_id

    def close(self) -> None:
        self.closed = True

    def video_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken:
        raise NotImplementedError

    refresh_token = video_token

    def create_room(self, appointment_id: int) -> RoomInfo:
        raise NotImplementedError

    def appointment(self, appointment_id: int) -> Any:
        raise NotImplementedError


def options(
    backend: FakeBackend, terminal: bool = False, **kwargs: Any
) -> tuple[StatusOptions, io.StringIO]:
    io_, out, _ = streams(terminal)
    return StatusOptions(
        io=io_, open_backend=lambda: backend, room=parse_room_ref("47"),
        fmt=OutputFormat(json=kwargs.pop("json", False)), clock=Clock(), **kwargs,
    ), out


def test_run_status_watch_ctrl_c_is_a_normal_end() -> None:
    backend = FakeBackend([SARAH_ONLY, BOTH])
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    opts, out = options(backend, watch=True, interval=0.5, sleep=sleep)
    run_status(opts)  # no exception: exit 0
    assert backend.closed
    assert sleeps == [0.5, 0.5]
    assert f"\tjoined\t{JANE}" in out.getvalue()


def test_run_status_once_renders_both_tables_on_a_terminal() -> None:
    backend = FakeBackend([BOTH])
    opts, out = options(backend, terminal=True)
    run_status(opts)
    assert backend.closed
    text = out.getvalue()
    assert "Video room of appointment 47" in text and "Participants (2 connected)" in text
    assert "2 / 50" in text


def test_run_status_once_piped_is_plain_lines() -> None:
    opts, out = options(FakeBackend([BOTH]))
    run_status(opts)
    lines = out.getvalue().splitlines()
    assert "in room\t2 / 50" in lines and "status\tin-progress" in lines
    people = [line.split("\t") for line in lines if line.startswith("participant\t")]
    assert [p[1] for p in people] == [SARAH, JANE]
    assert people[1][2:4] == ["patient", "connected"]
    assert "Video room of" not in out.getvalue() and "│" not in out.getvalue()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"watch": True, "json": True}, "--json and --watch"),
        ({"watch": True, "interval": 0.1}, "at least 0.5"),
    ],
)
def test_run_status_usage_errors(kwargs: dict[str, Any], message: str) -> None:
    backend = FakeBackend([])
    opts, _ = options(backend, **kwargs)
    with pytest.raises(UsageError) as caught:
        run_status(opts)
    assert message in caught.value.message


@pytest.mark.parametrize(
    "args",
    [
        ("--watch", "--json"),
        ("--watch", "--interval", "0.2"),
        ("--interval", "1"),
        ("--interval", "soon", "--watch"),
    ],
)
def test_cli_watch_usage_errors_exit_2(cli: Callable[..., Any], args: tuple[str, ...]) -> None:
    result = cli("status", "47", "--local", *args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""


def store_with_appointment_47(tmp_path: Any) -> Any:
    return make_store(tmp_path / "store.sqlite3", appointment(47, room=ROOM))


def mock_twilio_ticks(httpx_mock: Any, ticks: list[list[str]]) -> None:
    """Twilio's answers for one refresh per entry: the identities connected then."""
    base = "https://video.twilio.com/v1/Rooms"
    sid = "RM" + "a1" * 16

    def page(url: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {"participants": records, "meta": {
            "page": 0, "page_size": 50, "first_page_url": url, "previous_page_url": None,
            "url": url, "next_page_url": None, "key": "participants"}}

    for identities in ticks:
        httpx_mock.add_response(url=f"{base}/{ROOM}", json={
            "sid": sid, "unique_name": ROOM, "status": "in-progress", "type": "group",
            "date_created": "2025-11-16T09:00:00Z", "duration": None, "max_participants": 50,
            "links": {"participants": f"{base}/{sid}/Participants"}})
        connected = f"{base}/{sid}/Participants?Status=connected&PageSize=50"
        records = [{"sid": f"PA{n:032x}", "room_sid": sid, "identity": identity,
                    "status": "connected", "start_time": "2025-11-16T09:01:00Z",
                    "end_time": None, "duration": None}
                   for n, identity in enumerate(identities)]
        httpx_mock.add_response(url=connected, json=page(connected, records))
        gone = f"{base}/{sid}/Participants?Status=disconnected&PageSize=20"
        httpx_mock.add_response(url=gone, json=page(gone, []))
        for record in records:
            mock_tracks(httpx_mock, record["sid"], [], room_sid=sid)


def test_cli_watch_end_to_end_over_the_local_backend(
    cli: Callable[..., Any], twilio_env: dict[str, str], tmp_path: Any,
    httpx_mock: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real command over pytest-httpx's Twilio: a join shows, then Ctrl-C exits 0."""
    path = store_with_appointment_47(tmp_path)
    mock_twilio_ticks(httpx_mock, [[SARAH], [SARAH, JANE]])
    calls: list[float] = []

    def fake_sleep(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", fake_sleep)
    result = cli("status", "47", "--local", "--store", str(path), "--watch", "--interval", "1")
    assert result.exit_code == 0, result.stderr
    assert calls == [1.0, 1.0]
    assert f"\tjoined\t{JANE} (patient)" in result.stdout
    assert f"participant\t{SARAH}\tpsychologist\tconnected" in result.stdout


def test_status_view_renders_message() -> None:
    view = text_of(status_sheet(RoomStatus(47, ROOM, "offline", message="demo profile")))
    assert "note: demo profile" in view and "nobody has joined yet" in view
