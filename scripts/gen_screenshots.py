#!/usr/bin/env python3
"""Render the README's pictures (real vtctl renderables exported as SVG by rich).

Fixed clock and demo credentials make every byte reproducible:

    python scripts/gen_screenshots.py           # rewrite docs/img/*.svg
    python scripts/gen_screenshots.py --check   # exit 1 if a picture is out of date
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console, RenderableType

from vtctl.domain.room_state import Participant, PublishedTrack, RoomStatus
from vtctl.local.demo import DEMO_CREDENTIALS, demo_data_text
from vtctl.local.engine import TokenEngine
from vtctl.local.importer import parse_import
from vtctl.local.store import AppointmentStore
from vtctl.ui.render.rooms import participants_sheet
from vtctl.ui.render.status import status_sheet
from vtctl.ui.render.tokens import token_sheet

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
NOW = datetime(2025, 11, 16, 9, 12, 0, tzinfo=UTC)


def token_picture() -> RenderableType:
    from unittest import mock

    # twilio stamps the jti with the wall clock: pin it so the picture is reproducible
    with mock.patch("time.time", return_value=NOW.timestamp()), AppointmentStore.open(
        Path(":memory:")
    ) as store:
        data = parse_import(demo_data_text().encode())
        store.import_records(data.users, data.appointments)
        engine = TokenEngine(store, lambda: DEMO_CREDENTIALS, clock=NOW.timestamp)
        # the token is folded here as a terminal wraps it; vtctl writes it as one line
        return token_sheet(engine.issue(47, "2"), now=NOW)


def live_room() -> RoomStatus:
    """Jane (camera muted) and Dr. Sarah, in appointment 47's room for 11 minutes."""
    started = NOW - timedelta(minutes=11, seconds=30)

    def av(first: str, second: str, camera_on: bool) -> tuple[PublishedTrack, ...]:
        return (PublishedTrack("audio", "microphone", "MT" + first * 16, True),
                PublishedTrack("video", "camera", "MT" + second * 16, camera_on))

    return RoomStatus(
        appointment_id=47,
        room_name="apt-47-1763138954-46eb915c",
        status="in-progress",
        sid="RM" + "2f" * 16,
        room_type="group",
        created_at=started,
        max_participants=2,
        participants=(
            Participant("2-jane.doe@example.com", "connected", "PA" + "1a" * 16, "patient",
                        connected_at=started + timedelta(seconds=20),
                        tracks=av("a1", "b2", camera_on=False)),
            Participant("5-sarah@example.com", "connected", "PA" + "5c" * 16, "psychologist",
                        connected_at=started, tracks=av("c3", "d4", camera_on=True)),
        ),
    )


def status_picture() -> RenderableType:
    return status_sheet(live_room(), now=NOW)


def participants_picture() -> RenderableType:
    return participants_sheet(live_room(), now=NOW)


def diagnose_picture() -> RenderableType:
    """The patient pastes a token of an older session while the psychologist waits."""
    from vtctl.checks.diagnose import Evidence, Fixes, diagnose
    from vtctl.checks.diagnose_token import TokenInHand, token_findings
    from vtctl.domain.jwt_inspect import SigningSecret, decode, signature_verdict
    from vtctl.domain.models import Appointment, User
    from vtctl.domain.room_state import PublishedTrack
    from vtctl.local.engine import mint_access_token
    from vtctl.ui.render.diagnose import findings_view, summary

    start = NOW - timedelta(minutes=12)
    room = "apt-47-1763138954-46eb915c"
    appointment = Appointment(
        47, 2, 5, 60, starts_at=start, video_room_id=room,
        patient=User(2, "jane.doe@example.com", "Jane Doe", "patient"),
        psychologist=User(5, "sarah@example.com", "Dr. Sarah", "psychologist"),
    )
    sarah = Participant("5-sarah@example.com", "connected", "PA" + "5c" * 16, "psychologist",
                        connected_at=start + timedelta(minutes=1),
                        tracks=(PublishedTrack("audio", "microphone", None, True),
                                PublishedTrack("video", "camera", None, True)))
    status = RoomStatus(47, room, status="in-progress", sid="RM" + "2f" * 16, room_type="group",
                        created_at=start + timedelta(minutes=1), max_participants=50,
                        participants=(sarah,))
    fixes = Fixes(47, ("--local",))
    text = mint_access_token(DEMO_CREDENTIALS, "2-jane.doe@example.com",
                             "apt-46-1763052554-9a0b1c2d", int(NOW.timestamp()) - 300, 5400)
    token = decode(text)
    signer = SigningSecret(DEMO_CREDENTIALS.api_secret, DEMO_CREDENTIALS.api_key, "demo")
    verdict, detail = signature_verdict(text, token, signer)
    findings = diagnose(Evidence(appointment, status, NOW, fixes)) + token_findings(
        TokenInHand(token, signature=verdict, signature_detail=detail), appointment, NOW, fixes
    )
    return findings_view(findings, f"diagnose 47: {summary(findings)}")


def history_picture() -> RenderableType:
    """Yesterday's session of appointment 47: Jane waited seven minutes for Dr. Sarah,
    dropped with a media error, rejoined, dropped again; the session ended early."""
    from vtctl.checks.history import build_history
    from vtctl.domain.audit import AuditRecord
    from vtctl.domain.history import (
        Attendance,
        ParticipantInsights,
        Publisher,
        RoomInsights,
        SessionRoom,
        SessionSources,
    )
    from vtctl.domain.models import Appointment, User
    from vtctl.ui.render.history import history_view

    start = datetime(2025, 11, 15, 9, 0, tzinfo=UTC)

    def t(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    room_name, sid = "apt-47-1763138954-46eb915c", "RM" + "2f" * 16
    jane, sarah = "2-jane.doe@example.com", "5-sarah@example.com"
    appointment = Appointment(
        47, 2, 5, 60, starts_at=start, video_room_id=room_name,
        patient=User(2, "jane.doe@example.com", "Jane Doe", "patient"),
        psychologist=User(5, "sarah@example.com", "Dr. Sarah", "psychologist"),
    )
    chrome = Publisher("twilio-video.js", "2.28.1", "Chrome", "120", "macOS", "14.1")

    def summary(n: str, error: int | None = None) -> ParticipantInsights:
        reason = "media_connection_error" if error else "participant_disconnected"
        return ParticipantInsights("PA" + n * 16, reason, error, None, "dublin", "ie1",
                                   ("VP8", "opus"), chrome)

    people = (
        Attendance(jane, "patient", "PA" + "1a" * 16, sid, "disconnected", t(0), t(21), 1260,
                   summary("1a", 53405)),
        Attendance(sarah, "psychologist", "PA" + "5c" * 16, sid, "disconnected", t(7), t(44),
                   2220),
        Attendance(jane, "patient", "PA" + "1b" * 16, sid, "disconnected", t(22), t(31), 540,
                   summary("1b", 53405)),
        Attendance(jane, "patient", "PA" + "1c" * 16, sid, "disconnected", t(33), t(44), 660,
                   summary("1c")),
    )
    room = SessionRoom(sid, room_name, "completed", "group", t(0), t(44), 2640, people,
                       insights=RoomInsights("timeout", "complete", "ie1"))
    tokens = tuple(
        AuditRecord(at.strftime("%Y-%m-%dT%H:%M:%SZ"), "support", "helpdesk-3", "default",
                    "token", 47, who, room_name, 5400, f"SK{'0' * 32}-{int(at.timestamp())}")
        for at, who in ((t(-4), jane), (t(6), sarah))
    )
    history = build_history(SessionSources(appointment, room_name, (room,), False, tokens),
                            start + timedelta(days=1))
    return history_view(history)
def sessions_picture() -> RenderableType:
    """The morning shift at 09:12: someone waits, a room is missing, a stranger is in."""
    from dataclasses import replace

    from vtctl.checks.sessions import session_report
    from vtctl.domain.models import Appointment, User
    from vtctl.domain.sessions import SessionEvidence, TwilioRoom, TwilioView
    from vtctl.ui.render.sessions import sessions_view

    jane = User(2, "jane.doe@example.com", "Jane Doe", "patient")
    john = User(3, "john.roe@example.com", "John Roe", "patient")
    amir = User(4, "amir.k@example.com", "Amir K.", "patient")
    sarah = User(5, "sarah@example.com", "Dr. Sarah", "psychologist")
    lee = User(6, "dr.lee@example.com", "Dr. Lee", "psychologist")

    def apt(i: int, start: int, patient: User, doctor: User, room: bool = True,
            minutes: int = 50) -> Appointment:
        return Appointment(i, patient.id, doctor.id, minutes, NOW + timedelta(minutes=start),
                           f"apt-{i}-176313{i:04d}-{i:08x}" if room else None, patient, doctor)

    def here(user: User | str, ago: float) -> Participant:
        who = user if isinstance(user, str) else f"{user.id}-{user.email}"
        return Participant(who, "connected", None, connected_at=NOW - timedelta(minutes=ago))

    def live(a: Appointment, *people: Participant) -> TwilioRoom:
        return TwilioRoom(f"RM{a.id:032x}", a.video_room_id, "in-progress",
                          NOW - timedelta(minutes=20), participants=people)

    shift = [apt(51, -12, jane, sarah), apt(52, -2, john, lee), apt(53, 8, amir, sarah, False),
             apt(54, -45, amir, lee), apt(55, -30, john, sarah), apt(56, 40, jane, lee),
             apt(50, -120, jane, sarah, minutes=45)]
    view = TwilioView(
        live=(live(shift[0], here(sarah, 11)), live(shift[1], here(lee, 3), here(john, 2),
                                                      here("9-olly@example.com", 1)),
              live(shift[3], here(amir, 44), here(lee, 44))),
        completed=(replace(live(shift[6]), status="completed",
                           ended_at=NOW - timedelta(minutes=70)),),
    )
    report = session_report(SessionEvidence(tuple(shift), view), NOW - timedelta(hours=2),
                            NOW + timedelta(hours=2), NOW, ("--local",))
    return sessions_view(report)


PICTURES: dict[str, tuple[str, Callable[[], RenderableType]]] = {
    "token.svg": ("vtctl token 47 --profile demo", token_picture),
    "status.svg": ("vtctl status 47", status_picture),
    "room-participants.svg": ("vtctl room participants 47 --local", participants_picture),
    "diagnose.svg": ("pbpaste | vtctl diagnose 47 --local --token -", diagnose_picture),
    "history.svg": ("vtctl history 47 --local", history_picture),
    "sessions.svg": ("vtctl sessions --local", sessions_picture),
}


#: pictures wider than the default 100 columns (a shift's table needs the room)
WIDTHS = {"sessions.svg": 150}


def render(title: str, build: Callable[[], RenderableType], width: int = 100) -> str:
    console = Console(record=True, width=width, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor")
    console.print(f"[bold]$ {title}[/bold]")
    console.print(build())
    return console.export_svg(title=title)


def main() -> int:
    if sys.argv[1:] not in ([], ["--check"]):
        print(__doc__, file=sys.stderr)
        return 2
    check = sys.argv[1:] == ["--check"]
    stale = []
    for name, (title, build) in PICTURES.items():
        svg = render(title, build, WIDTHS.get(name, 100))
        path = IMG / name
        if check:
            if not path.exists() or path.read_text() != svg:
                stale.append(name)
        else:
            IMG.mkdir(parents=True, exist_ok=True)
            path.write_text(svg)
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}: run python scripts/gen_screenshots.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
