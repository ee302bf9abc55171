"""Builders for the shift view's tests: appointments around a fixed NOW, Twilio's view
as ``checks.sessions`` gets it, and a pytest-httpx callback serving a Twilio account
with live rooms, completed rooms, paging and per-room failures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.twilio_fakes import BASE, page, participant_body, room_body
from vtctl.domain.models import Appointment, User, format_utc
from vtctl.domain.room_state import Participant
from vtctl.domain.sessions import TwilioRoom

NOW = datetime(2025, 11, 16, 10, 0, 0, tzinfo=UTC)
JANE = User(2, "jane.doe@example.com", "Jane Doe", "patient")
JOHN = User(3, "john.roe@example.com", "John Roe", "patient")
SARAH = User(5, "sarah@example.com", "Dr. Sarah", "psychologist")
OUTSIDER = User(9, "outsider@example.com", "Olly", "patient")
USERS = {u.id: u for u in (JANE, JOHN, SARAH, OUTSIDER)}


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def room_name(appointment_id: int) -> str:
    return f"apt-{appointment_id}-1763280000-{appointment_id:08x}"


def room_sid(appointment_id: int) -> str:
    return f"RM{appointment_id:032x}"


def identity(user: User) -> str:
    return f"{user.id}-{user.email}"


def apt(appointment_id: int, starts_in: float, duration: int = 50, room: bool = True,
        patient: User = JANE, psychologist: User = SARAH) -> Appointment:
    """An appointment starting ``starts_in`` minutes after NOW (negative: before)."""
    return Appointment(
        id=appointment_id, patient_id=patient.id, psychologist_id=psychologist.id,
        duration_minutes=duration, starts_at=NOW + minutes(starts_in),
        video_room_id=room_name(appointment_id) if room else None,
        patient=patient, psychologist=psychologist,
    )


def person(user: User | str, joined_ago: float) -> Participant:
    """A connected participant who joined ``joined_ago`` minutes before NOW."""
    who = identity(user) if isinstance(user, User) else user
    return Participant(identity=who, status="connected",
                       sid=f"PA{abs(hash(who)) % 10**12:032x}",
                       connected_at=NOW - minutes(joined_ago))


def live(appointment_id: int, *people: Participant, name: str | None = None) -> TwilioRoom:
    return TwilioRoom(sid=room_sid(appointment_id), name=name or room_name(appointment_id),
                      status="in-progress", created_at=NOW - minutes(30),
                      participants=tuple(people))


def completed(appointment_id: int, ended_ago: float) -> TwilioRoom:
    return TwilioRoom(sid=room_sid(appointment_id), name=room_name(appointment_id),
                      status="completed", created_at=NOW - minutes(ended_ago + 45),
                      ended_at=NOW - minutes(ended_ago))


# -- a Twilio account served through pytest-httpx ------------------------------------------


def import_document(appointments: list[Appointment]) -> dict[str, Any]:
    return {
        "users": [{"id": u.id, "email": u.email, "name": u.name, "role": u.role}
                  for u in USERS.values()],
        "appointments": [
            {"id": a.id, "patient_id": a.patient_id, "psychologist_id": a.psychologist_id,
             "duration_minutes": a.duration_minutes,
             "starts_at": format_utc(a.starts_at) if a.starts_at else None,
             "video_room_id": a.video_room_id}
            for a in appointments
        ],
    }


@dataclass
class FakeTwilio:
    """Answers Rooms and Participants list requests like Twilio, from plain data.

    ``live``/``completed``: room SID -> (unique name, created, ended); ``people``: room
    SID -> connected participant records; ``per_page`` forces Twilio's paging;
    ``fail``: room SID -> the response its participants request gets.
    """

    live: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    completed: dict[str, tuple[str, datetime, datetime]] = field(default_factory=dict)
    people: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    per_page: int = 50
    fail: dict[str, httpx.Response] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def add_live(self, appointment_id: int, *who: tuple[User | str, float],
                 name: str | None = None) -> None:
        sid = room_sid(appointment_id)
        self.live[sid] = (name or room_name(appointment_id), NOW - minutes(30))
        self.people[sid] = [
            participant_body(identity(u) if isinstance(u, User) else u, n + 1,
                             room_sid=sid, start_time=format_utc(NOW - minutes(ago)),
                             date_created=format_utc(NOW - minutes(ago)))
            for n, (u, ago) in enumerate(who)
        ]

    def add_completed(self, appointment_id: int, ended_ago: float) -> None:
        ended = NOW - minutes(ended_ago)
        self.completed[room_sid(appointment_id)] = (
            room_name(appointment_id), ended - minutes(45), ended)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url}")
        path = request.url.path
        if path == "/v1/Rooms":
            return self._rooms(request.url)
        match = re.fullmatch(r"/v1/Rooms/(RM\w+)/Participants", path)
        if match:
            sid = match.group(1)
            if sid in self.fail:
                return self.fail[sid]
            url = f"{BASE}/Rooms/{sid}/Participants?Status=connected&PageSize=50"
            return httpx.Response(200, json=page("participants", url, self.people.get(sid, []),
                                                 50))
        return httpx.Response(404, json={"code": 20404, "message": "not found", "status": 404})

    def _rooms(self, asked: httpx.URL) -> httpx.Response:
        params = asked.params
        status = params.get("Status")
        number = int(params.get("Page", "0"))
        if status == "in-progress":
            records = [room_body("in-progress", sid=sid, unique_name=name,
                                 date_created=format_utc(created))
                       for sid, (name, created) in self.live.items()]
        else:
            after = datetime.fromisoformat(params["DateCreatedAfter"].replace("Z", "+00:00"))
            records = [room_body("completed", sid=sid, unique_name=name,
                                 date_created=format_utc(created), end_time=format_utc(ended),
                                 duration=int((ended - created).total_seconds()))
                       for sid, (name, created, ended) in self.completed.items()
                       if created >= after]
        chunk = records[number * self.per_page:(number + 1) * self.per_page]
        url = f"{BASE}/Rooms?Status={status}&PageSize=50"
        body = page("rooms", url, chunk, self.per_page)
        if (number + 1) * self.per_page < len(records):
            following = asked.copy_set_param("Page", number + 1)
            body["meta"]["next_page_url"] = str(
                following.copy_set_param("PageToken", f"PT{number + 1}"))
        return httpx.Response(200, json=body)
