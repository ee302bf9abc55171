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

from vtctl.domain.models import Participant, PublishedTrack, RoomStatus
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
    from vtctl.domain.models import Appointment, PublishedTrack, User
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


PICTURES: dict[str, tuple[str, Callable[[], RenderableType]]] = {
    "token.svg": ("vtctl token 47 --profile demo", token_picture),
    "status.svg": ("vtctl status 47", status_picture),
    "room-participants.svg": ("vtctl room participants 47 --local", participants_picture),
    "diagnose.svg": ("pbpaste | vtctl diagnose 47 --local --token -", diagnose_picture),
}


def render(title: str, build: Callable[[], RenderableType]) -> str:
    console = Console(record=True, width=100, file=io.StringIO(), force_terminal=True,
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
        svg = render(title, build)
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
