"""``vtctl sessions`` over a real store and Twilio's REST API answered by pytest-httpx:
each state end to end, paging, a 429 on one room, Twilio unreachable, the request budget,
and the output in a pipe, on a terminal and as JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.helpers import store_from_document
from tests.sessions_fakes import (
    JANE,
    JOHN,
    NOW,
    OUTSIDER,
    SARAH,
    FakeTwilio,
    apt,
    identity,
    import_document,
    minutes,
    room_name,
    room_sid,
)
from vtctl.backends.local import LocalBackend
from vtctl.cli.sessions import SessionsOptions, run_sessions
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import (
    ChecksNotRunError,
    NetworkError,
    ServerError,
    SessionsAlertError,
    UsageError,
    VtctlError,
)
from vtctl.domain.models import Appointment
from vtctl.domain.sessions import FIELDS, SessionsReport
from vtctl.domain.timespec import parse_time
from vtctl.local.store import AppointmentStore
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat

CREDENTIALS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)

#: the mixed shift every scenario starts from (NOW is 10:00 UTC)
SHIFT = [
    apt(40, 30),                                   # upcoming: room ready, not live
    apt(41, 5, room=False, patient=JOHN),          # no room: starts in 5 min
    apt(42, -3),                                   # waiting: Jane alone for 7 min
    apt(43, -20),                                  # in session
    apt(44, -70, duration=60),                     # overrun
    apt(45, -30),                                  # missed: nobody, room never live
    apt(46, -60, duration=45),                     # ended: its room completed
    apt(47, -5, patient=JOHN),                     # stranger in the room
]


def account() -> FakeTwilio:
    twilio = FakeTwilio()
    twilio.add_live(42, (JANE, 7))
    twilio.add_live(43, (JANE, 21), (SARAH, 19))
    twilio.add_live(44, (JANE, 70), (SARAH, 69))
    twilio.add_live(47, (JOHN, 6), (identity(OUTSIDER), 2))
    twilio.add_live(99, ("someone", 3), name="waiting-room-lobby")
    twilio.add_completed(46, 12)
    return twilio


class Run:
    def __init__(self, report: SessionsReport | None, out: str, err: str,
                 error: VtctlError | None) -> None:
        self.report, self.out, self.err, self.error = report, out, err, error

    @property
    def exit_code(self) -> int:
        return 0 if self.error is None else int(self.error.exit_code)

    def states(self) -> dict[int, str]:
        assert self.report is not None
        return {r.appointment_id: r.state for r in self.report.rows}


@pytest.fixture
def shift(tmp_path: Path) -> Callable[..., Run]:
    """Run ``sessions`` on a store of ``appointments`` at NOW (or ``now``)."""

    def run(*, appointments: list[Appointment] = SHIFT, terminal: bool = False,
            json_: bool = False, alert: str | None = None, width: int = 200,
            **kwargs: Any) -> Run:
        path = tmp_path / "store.sqlite3"
        if not path.exists():
            store_from_document(path, import_document(appointments))
        out, err = io.StringIO(), io.StringIO()
        streams = IOStreams(out=out, err=err, force_terminal=terminal, width=width)
        from vtctl.checks.alerts import parse_alert_rules

        opts = SessionsOptions(
            io=streams, fmt=OutputFormat(json=json_),
            open_backend=lambda: LocalBackend(AppointmentStore.open(path, create=False),
                                              credentials=CREDENTIALS),
            alert=parse_alert_rules(alert) if alert else (), **{"clock": lambda: NOW, **kwargs},
        )
        report, error = None, None
        try:
            report = run_sessions(opts)
        except VtctlError as exc:
            error = exc
        return Run(report, out.getvalue(), err.getvalue(), error)

    return run


def serve(httpx_mock: HTTPXMock, twilio: FakeTwilio) -> FakeTwilio:
    httpx_mock.add_callback(twilio, is_reusable=True)
    return twilio


# -- every state, end to end -------------------------------------------------------------------


def test_the_mixed_shift_as_json(shift: Callable[..., Run], httpx_mock: HTTPXMock) -> None:
    twilio = serve(httpx_mock, account())
    run = shift(json_=True)
    assert run.exit_code == 0, run.err
    rows = json.loads(run.out)
    assert all(tuple(r) == FIELDS for r in rows)
    assert [(r["appointment_id"], r["state"]) for r in rows] == [
        (47, "stranger"), (42, "waiting"), (41, "no room"), (45, "missed"), (44, "overrun"),
        (43, "in session"), (40, "upcoming"), (46, "ended"),
    ]
    by_id = {r["appointment_id"]: r for r in rows}
    assert by_id[42]["detail"] == (
        "the patient (Jane Doe) has been waiting 7 min for the psychologist")
    assert by_id[42]["room_sid"] == room_sid(42)
    assert by_id[41]["action"] == "vtctl room create 41"
    assert by_id[47]["action"] == f"vtctl room kick 47 {identity(OUTSIDER)}"
    assert by_id[43]["connected"][1] == {"identity": identity(SARAH), "role": "psychologist",
                                         "since": "2025-11-16T09:41:00Z"}
    assert by_id[46]["since"] == "2025-11-16T09:48:00Z"
    # one live list, the participants of the 4 live rooms of the window (not the lobby's),
    # one completed list (45 and 46 are past their start and not live)
    paths = sorted(line.split("?")[0] for line in twilio.seen)
    assert paths == sorted(["GET https://video.twilio.com/v1/Rooms"] * 2 + [
        f"GET https://video.twilio.com/v1/Rooms/{room_sid(i)}/Participants"
        for i in (42, 43, 44, 47)])
    assert any("Status=completed" in line and "DateCreatedAfter=2025-11-16T08%3A00%3A00Z"
               in line for line in twilio.seen)


def test_piped_one_tab_separated_line_per_appointment_and_notes_on_stderr(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    serve(httpx_mock, account())
    run = shift()
    assert run.exit_code == 0
    lines = run.out.splitlines()
    assert len(lines) == len(SHIFT)
    assert all(line.count("\t") == len(FIELDS) - 1 for line in lines)
    waiting = lines[1].split("\t")
    assert waiting[:6] == ["42", "2025-11-16T09:57:00Z", "2025-11-16T10:47:00Z", "waiting",
                           "2025-11-16T09:53:00Z", JANE.email]
    assert waiting[7:10] == [room_name(42), room_sid(42), identity(JANE)]
    assert not any(c in run.out for c in "│─┃━")
    assert "other live room: waiting-room-lobby (RM" in run.err
    assert "no appointment's room" in run.err


def test_another_live_room_names_an_appointment_the_store_does_not_have(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    """A live room of appointment 999 (not stored) is not "outside the window": it has no
    appointment at all; one of a stored appointment outside the window is."""
    twilio = account()
    twilio.add_live(999, ("someone", 3))
    outside = apt(48, 300)  # stored, five hours later: outside the window
    twilio.add_live(48, (JANE, 1))
    serve(httpx_mock, twilio)
    run = shift(appointments=[*SHIFT, outside])
    assert run.exit_code == 0, run.err
    assert (f"other live room: {room_name(999)} ({room_sid(999)}), appointment 999 does not "
            "exist in the store") in run.err
    assert (f"other live room: {room_name(48)} ({room_sid(48)}), appointment 48 is outside "
            "the window or filter") in run.err
    screen = shift(terminal=True, width=200).out
    row = next(line for line in screen.splitlines() if room_name(999) in line)
    assert "999 (not in the store)" in row and "outside" not in row


def test_terminal_table_counts_on_top_and_other_live_rooms(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    serve(httpx_mock, account())
    run = shift(terminal=True, width=280)
    assert run.exit_code == 0
    import re

    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", run.out)
    first, second = screen.splitlines()[:2]
    assert first == "8 sessions 2025-11-16 08:00-12:00 UTC"
    assert second == ("1 stranger · 1 waiting · 1 no room · 1 missed · 1 overrun · "
                      "1 in session · 1 upcoming · 1 ended")
    assert "Other live rooms (1)" in screen and "waiting-room-lobby" in screen
    for identifier in (room_name(42), room_sid(43), identity(OUTSIDER), JOHN.email):
        assert identifier in screen


@pytest.mark.parametrize("width", [50, 80, 120, 200])
def test_a_command_to_paste_is_never_wrapped(
    shift: Callable[..., Run], httpx_mock: HTTPXMock, width: int
) -> None:
    """In the 40-wide action column ``vtctl room kick 47 9-outsider@example.com --local
    --store ...`` took three lines, even at 120 columns: a copy ran ``vtctl room kick 47``
    alone.  Each command is a line of its own below the table, whole at any width."""
    import re

    serve(httpx_mock, account())
    flags = ("--local", "--store", "/var/lib/vtctl/support team/appointments.sqlite3")
    run = shift(terminal=True, width=width, action_flags=flags)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", run.out).splitlines()
    kick = ("vtctl room kick 47 9-outsider@example.com --local --store "
            "'/var/lib/vtctl/support team/appointments.sqlite3'")
    create = ("vtctl room create 41 --local --store "
              "'/var/lib/vtctl/support team/appointments.sqlite3'")
    assert f"  {kick}" in screen and f"  {create}" in screen, "\n".join(screen)
    assert not any("vtctl room" in line for line in screen
                   if line.strip() not in (kick, create)), "\n".join(screen)
    assert any("run room kick" in line for line in screen), "\n".join(screen)
    below = screen.index("Commands to run")
    assert screen[below + 1:below + 5] == ["appointment 47 stranger", f"  {kick}",
                                           "appointment 41 no room", f"  {create}"]


@pytest.mark.parametrize("width", [50, 80])
def test_a_count_is_never_parted_from_its_state(
    shift: Callable[..., Run], httpx_mock: HTTPXMock, width: int
) -> None:
    """``1 upcoming`` was ``1`` at the end of one line and ``upcoming`` on the next."""
    import re

    serve(httpx_mock, account())
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shift(terminal=True, width=width).out)
    lines = screen.splitlines()
    counts = lines[1:lines.index(next(line for line in lines if line.startswith("Sessions")))]
    assert len(counts) > 1, screen  # wrapped, after a "·" only
    assert all(line.endswith("·") for line in counts[:-1]), screen
    for state in ("stranger", "waiting", "no room", "missed", "overrun", "in session",
                  "upcoming", "ended"):
        assert any(f"1 {state}" in line for line in counts), screen


@pytest.mark.parametrize("width", [50, 80, 100, 120, 160])
def test_identifiers_are_never_split_on_a_terminal(
    shift: Callable[..., Run], httpx_mock: HTTPXMock, width: int
) -> None:
    import re

    serve(httpx_mock, account())
    run = shift(terminal=True, width=width)
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", run.out)
    assert all(len(line) <= width for line in screen.splitlines())
    # what every width shows: who waits, the stranger, the commands to paste
    for identifier in (identity(OUTSIDER), "vtctl room create 41",
                       f"vtctl room kick 47 {identity(OUTSIDER)}"[:18]):
        assert identifier in screen, (width, identifier)
    # whatever is shown of room names, SIDs and emails is shown whole
    assert all(len(name) == 26 for name in re.findall(r"apt-[0-9a-f-]+", screen))
    assert all(len(sid) == 34 for sid in re.findall(r"RM[0-9a-f]+", screen))
    emails = re.findall(r"[\w.-]*@[\w.-]*", screen)
    whole = {u.email for u in (JANE, JOHN, SARAH, OUTSIDER)}
    whole |= {identity(u) for u in (JANE, JOHN, SARAH, OUTSIDER)}
    assert emails and set(emails) <= whole
    if width < 80:  # one block of field value lines per appointment: everything shown
        for identifier in (SARAH.email, room_name(43), room_sid(43), JOHN.email):
            assert identifier in screen
    else:
        assert re.search(r"^state +for +id .* detail", screen, re.M)  # a table, its header


# -- the edges of the issue ---------------------------------------------------------------------


@pytest.mark.parametrize(("joined_ago", "code"), [(4 + 59 / 60, 0), (5 + 1 / 60, 8)])
def test_alert_waiting_over_five_minutes(shift: Callable[..., Run], httpx_mock: HTTPXMock,
                                         joined_ago: float, code: int) -> None:
    twilio = FakeTwilio()
    twilio.add_live(42, (JANE, joined_ago))
    serve(httpx_mock, twilio)
    run = shift(appointments=[apt(42, -3), apt(40, 30)], alert="waiting>5m")
    assert run.exit_code == code, run.err
    if code:
        assert isinstance(run.error, SessionsAlertError)
        assert run.error.message == "1 of 2 sessions match --alert waiting>5m (1 waiting)"
        assert run.out.splitlines()[0].startswith("42\t")  # only the matching row
        assert len(run.out.splitlines()) == 1
    else:  # nothing on stdout, nothing on stderr: cron mails nothing
        assert (run.out, run.err) == ("", "")


def test_no_match_is_silent_for_cron_and_says_so_on_a_terminal(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    serve(httpx_mock, account())  # with a live room of no appointment: no note about it
    quiet = shift(alert="waiting>10m")
    assert (quiet.exit_code, quiet.out, quiet.err) == (0, "", "")
    run = shift(alert="waiting>10m", terminal=True)
    assert run.exit_code == 0
    assert "no session matches --alert waiting>10m (8 checked)" in run.err


@pytest.mark.parametrize(
    ("rule", "ids"),
    [("no-room", [41]), ("missed", [45]), ("stranger", [47]), ("overrun", [44]),
     ("in-session", [43]), ("upcoming", [40]), ("ended", [46]), ("waiting>5m", [42]),
     ("waiting>10m", []), ("unknown", []),
     ("waiting>5m,missed,no-room,stranger", [47, 42, 41, 45])],
)
def test_each_alert_rule_over_the_shift(shift: Callable[..., Run], httpx_mock: HTTPXMock,
                                       rule: str, ids: list[int]) -> None:
    serve(httpx_mock, account())
    run = shift(json_=True, alert=rule)
    assert [r["appointment_id"] for r in json.loads(run.out)] == ids
    assert run.exit_code == (8 if ids else 0)


def test_an_appointment_across_midnight_utc_in_todays_window(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    """23:30-00:20 UTC seen at 00:05 with --from today: in today's (the 17th's) window."""

    late = apt(60, 0, duration=50)._replace(starts_at=NOW.replace(hour=23, minute=30))
    yesterday = apt(61, 0, duration=30)._replace(starts_at=NOW.replace(hour=23, minute=0))
    twilio = FakeTwilio()
    after_midnight = NOW.replace(hour=23, minute=30) + minutes(35)
    twilio.add_live(60, (JANE, 0), (SARAH, 0))
    for people in twilio.people.values():
        for record in people:
            record["start_time"] = "2025-11-16T23:33:00Z"
    serve(httpx_mock, twilio)
    run = shift(appointments=[late, yesterday], json_=True, start=parse_time("today"),
                end=parse_time("today"), clock=lambda: after_midnight)
    rows = json.loads(run.out)
    assert [(r["appointment_id"], r["state"], r["detail"]) for r in rows] == [
        (60, "in session", "32 / 50 min")]


def test_paging_of_the_rooms_list(shift: Callable[..., Run], httpx_mock: HTTPXMock) -> None:
    twilio = account()
    twilio.per_page = 2  # 5 live rooms: three pages
    serve(httpx_mock, twilio)
    run = shift(json_=True)
    assert run.exit_code == 0
    assert {r["appointment_id"]: r["state"] for r in json.loads(run.out)}[47] == "stranger"
    pages = [line for line in twilio.seen if "Status=in-progress" in line]
    assert len(pages) == 3 and "Page=2" in pages[-1]
    assert run.report is not None and [r.name for r in run.report.other_rooms] == [
        "waiting-room-lobby"]


def test_429_on_one_rooms_participants_leaves_only_that_row_unknown(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    twilio = account()
    twilio.fail[room_sid(43)] = httpx.Response(
        429, headers={"Retry-After": "3600"},  # longer than the timeout: not waited for
        json={"code": 20429, "message": "Too Many Requests", "status": 429})
    serve(httpx_mock, twilio)
    run = shift(json_=True)
    rows = {r["appointment_id"]: r for r in json.loads(run.out)}
    assert rows[43]["state"] == "unknown"
    assert "who is in it is unknown: Twilio is rate limiting requests (HTTP 429" in (
        rows[43]["detail"])
    assert {i: r["state"] for i, r in rows.items() if i != 43} == {
        40: "upcoming", 41: "no room", 42: "waiting", 44: "overrun", 45: "missed",
        46: "ended", 47: "stranger"}
    # shown, then the fault's exit code: 6, one line naming how many rows it left unknown
    assert isinstance(run.error, ChecksNotRunError) and run.exit_code == 6
    assert isinstance(run.error.fault, ServerError)
    assert run.error.message.startswith("1 of 8 sessions are unknown: Twilio is rate limiting")


def test_twilio_unreachable_every_room_row_unknown_exit_7(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"),
                             is_reusable=True)
    run = shift(json_=True)
    rows = json.loads(run.out)
    states = {r["appointment_id"]: r["state"] for r in rows}
    assert states.pop(41) == "no room"  # no room name: nothing to ask Twilio
    assert set(states.values()) == {"unknown"}
    assert all("cannot reach Twilio" in r["detail"] for r in rows if r["state"] == "unknown")
    assert isinstance(run.error, ChecksNotRunError) and run.exit_code == 7
    assert isinstance(run.error.fault, NetworkError)
    assert run.error.message.startswith("7 of 8 sessions are unknown: cannot reach Twilio")
    # an alert that does not match still cannot say "all clear"
    assert shift(alert="stranger").exit_code == 7
    # one that matches is 8
    assert shift(alert="unknown").exit_code == 8


def test_request_count_500_appointments_40_live_rooms(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    """1 + 40 requests: the live list and the participants of the 40 live rooms, whatever
    the number of appointments (all others start later: no completed list is needed)."""
    appointments = [apt(1000 + i, (i % 40) * 3 - 30 if i < 40 else 20 + i % 60,
                        patient=JANE if i % 2 else JOHN) for i in range(500)]
    twilio = FakeTwilio()
    for i in range(40):
        who = JANE if i % 2 else JOHN
        twilio.add_live(1000 + i, (who, 2), (SARAH, 1))
    serve(httpx_mock, twilio)
    run = shift(appointments=appointments, json_=True, start=parse_time("-3h"),
                end=parse_time("+3h"))
    rows = json.loads(run.out)
    assert len(rows) == 500 and run.exit_code == 0
    assert len(httpx_mock.get_requests()) == 41 == len(twilio.seen)
    assert run.report is not None


def test_request_count_with_paging_and_the_completed_list(
    shift: Callable[..., Run], httpx_mock: HTTPXMock
) -> None:
    """With past appointments the completed list is asked too: still live pages + 40 +
    completed pages, never one request per appointment."""
    appointments = [apt(1000 + i, -100 + i % 200, duration=30) for i in range(500)]
    twilio = FakeTwilio(per_page=50)
    for i in range(40):
        twilio.add_live(1000 + i, (JANE, 1))
    for i in range(40, 200):
        twilio.add_completed(1000 + i, 1)
    serve(httpx_mock, twilio)
    run = shift(appointments=appointments, json_=True, start=parse_time("-3h"),
                end=parse_time("+3h"))
    assert len(json.loads(run.out)) == 500
    live_pages = sum("Status=in-progress" in s for s in twilio.seen)
    completed_pages = sum("Status=completed" in s for s in twilio.seen)
    assert (live_pages, completed_pages) == (1, 4)
    assert len(twilio.seen) == live_pages + 40 + completed_pages


# -- flags ------------------------------------------------------------------------------------


def test_user_filter_by_email(shift: Callable[..., Run], httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, account())
    run = shift(json_=True, user=JOHN.email)
    assert sorted(r["appointment_id"] for r in json.loads(run.out)) == [41, 47]
    unknown = shift(user="nobody@example.com")
    assert unknown.exit_code == 5 and "no stored user" in str(unknown.error)


def test_an_empty_window(shift: Callable[..., Run], httpx_mock: HTTPXMock) -> None:
    serve(httpx_mock, FakeTwilio())
    run = shift(start=parse_time("2030-01-01"), end=parse_time("2030-01-01"))
    assert (run.exit_code, run.out) == (0, "")
    assert "no appointments 2030-01-01 00:00-00:00 UTC" in run.err or (
        "no appointments" in run.err)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"watch": True, "json_": True}, "--json and --watch"),
     ({"watch": True, "alert": "missed"}, "--alert and --watch"),
     ({"interval": 0.5, "watch": True}, "--interval must be at least 1"),
     ({"start": parse_time("+1h"), "end": parse_time("-1h")}, "is not after --from")],
)
def test_usage_errors_before_anything_is_read(shift: Callable[..., Run], kwargs: dict[str, Any],
                                              message: str) -> None:
    run = shift(**kwargs)
    assert isinstance(run.error, UsageError) and message in run.error.message
