"""What ``vtctl history`` gathers and what it makes of it: plain dataclasses, no I/O.

``SessionSources`` is what was read (the appointment, every Twilio room of its
name with who was in it and Video Insights' summaries, the audit trail's
tokens and whether that trail verified); ``SessionHistory`` is what
``checks.history`` builds from it (one timeline of events, one track per person
for the picture, the findings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vtctl.domain.audit import AuditRecord
from vtctl.domain.errors import AuditKeyError, AuditTrailError
from vtctl.domain.findings import Finding
from vtctl.domain.models import Appointment, JsonFields, format_utc
from vtctl.domain.twilio_errors import describe_error, video_error

#: the role of someone who is neither the patient nor the psychologist
STRANGER = "stranger"


#: why the audit trail's tokens are not verified fact: the whole trail failed verification
#: (``AuditTrailError``, exit 9) or could not be checked here (``AuditKeyError``, exit 3)
TrailDoubt = AuditTrailError | AuditKeyError


def _when(moment: datetime | None) -> str | None:
    return format_utc(moment) if moment is not None else None


@dataclass(frozen=True, slots=True)
class Publisher:
    """Insights' ``publisher_info``: the SDK, browser and OS a participant joined with."""

    sdk: str | None = None
    sdk_version: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    os: str | None = None
    os_version: str | None = None

    def text(self) -> str:
        """``Chrome 120 on macOS 14.1, twilio-video.js 2.28.1`` (what is known of it)."""
        browser = " ".join(p for p in (self.browser, self.browser_version) if p)
        system = " ".join(p for p in (self.os, self.os_version) if p)
        sdk = " ".join(p for p in (self.sdk, self.sdk_version) if p)
        where = " on ".join(p for p in (browser, system) if p)
        return ", ".join(p for p in (where, sdk) if p)

    def to_json(self) -> dict[str, Any]:
        return {"sdk": self.sdk, "sdk_version": self.sdk_version, "browser": self.browser,
                "browser_version": self.browser_version, "os": self.os,
                "os_version": self.os_version}


@dataclass(frozen=True, slots=True)
class ParticipantInsights:
    """Video Insights' summary of one participant (one connection)."""

    participant_sid: str | None
    end_reason: str | None = None
    error_code: int | None = None
    error_code_url: str | None = None
    edge_location: str | None = None
    media_region: str | None = None
    codecs: tuple[str, ...] = ()
    publisher: Publisher | None = None

    @property
    def error_text(self) -> str | None:
        """``53405 Media connection failed...`` or None without an error."""
        if not self.error_code:
            return None
        return describe_error(self.error_code, self.error_code_url)

    @property
    def error_kind(self) -> str | None:
        """``media``, ``signalling``... for a known code; ``error`` for another one."""
        if not self.error_code:
            return None
        known = video_error(self.error_code)
        return known.kind if known is not None else "error"


@dataclass(frozen=True, slots=True)
class Attendance:
    """One Twilio participant record: one identity's one connection to one room."""

    identity: str
    #: patient, psychologist or stranger
    role: str
    sid: str | None
    room_sid: str
    status: str | None = None
    joined_at: datetime | None = None
    left_at: datetime | None = None
    duration_seconds: int | None = None
    insights: ParticipantInsights | None = None

    def to_json(self) -> dict[str, Any]:
        summary = self.insights
        publisher = summary.publisher if summary is not None else None
        return {
            "sid": self.sid,
            "identity": self.identity,
            "role": self.role,
            "status": self.status,
            "joined_at": _when(self.joined_at),
            "left_at": _when(self.left_at),
            "duration_seconds": self.duration_seconds,
            "end_reason": summary.end_reason if summary else None,
            "error_code": summary.error_code if summary else None,
            "error": summary.error_text if summary else None,
            "error_code_url": summary.error_code_url if summary else None,
            "edge_location": summary.edge_location if summary else None,
            "media_region": summary.media_region if summary else None,
            "codecs": list(summary.codecs) if summary else [],
            "publisher": publisher.to_json() if publisher is not None else None,
        }


@dataclass(frozen=True, slots=True)
class RoomInsights:
    """Video Insights' summary of a room."""

    end_reason: str | None = None
    processing_state: str | None = None
    media_region: str | None = None
    edge_location: str | None = None


@dataclass(frozen=True, slots=True)
class SessionRoom:
    """One Twilio room of the appointment's name (a name is reused once a room completes)."""

    sid: str
    name: str | None
    status: str | None
    room_type: str | None = None
    created_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    attendances: tuple[Attendance, ...] = ()
    #: participant records beyond the ones kept in full (a huge room is counted, not kept)
    others: int = 0
    insights: RoomInsights | None = None
    #: why Video Insights' summaries are missing or partial for this room (None: complete)
    insights_missing: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "name": self.name,
            "status": self.status,
            "type": self.room_type,
            "created_at": _when(self.created_at),
            "ended_at": _when(self.ended_at),
            "duration_seconds": self.duration_seconds,
            "end_reason": self.insights.end_reason if self.insights else None,
            "media_region": self.insights.media_region if self.insights else None,
            "participants": [a.to_json() for a in self.attendances],
            "other_participants": self.others,
            "insights_missing": self.insights_missing,
        }


@dataclass(frozen=True, slots=True)
class SessionSources:
    """Everything read about an appointment's sessions, before anything is made of it."""

    appointment: Appointment
    #: the room name asked about (the appointment's, or the one given as ROOM)
    room_name: str
    #: newest first
    rooms: tuple[SessionRoom, ...] = ()
    #: older rooms of the name exist beyond the first page (``--all`` reads them)
    more_rooms: bool = False
    #: the audit trail's records for the appointment or its room, oldest first
    tokens: tuple[AuditRecord, ...] = ()
    #: None: the whole trail verified as ``vtctl audit verify`` verifies it
    trail_doubt: TrailDoubt | None = None


#: the keys of each event in ``vtctl history --json`` (CONTRACT.md): ``Event.to_json``
EVENT_FIELDS: tuple[str, ...] = ("at", "kind", "who", "role", "detail", "room_sid")
#: the keys of the document ``vtctl history --json`` prints (CONTRACT.md):
#: ``SessionHistory.to_json``
HISTORY_FIELDS: tuple[str, ...] = ("appointment", "rooms", "events", "findings")


@dataclass(frozen=True, slots=True)
class Event(JsonFields):
    """One line of the timeline."""

    JSON_FIELDS = EVENT_FIELDS

    at: datetime | None
    #: token-minted, token-expired, room-created, joined, left, room-ended, more-participants
    kind: str
    who: str | None
    role: str | None
    detail: str
    room_sid: str | None = None


@dataclass(frozen=True, slots=True)
class Presence:
    """One stretch of time someone was in a room."""

    start: datetime
    #: None: still there
    end: datetime | None
    #: why it ended badly (an error, or "rejoined"), shown as a drop; None: left normally
    dropped: str | None = None


@dataclass(frozen=True, slots=True)
class TokenLife:
    minted_at: datetime
    expires_at: datetime
    jti: str


@dataclass(frozen=True, slots=True)
class PersonTrack:
    """One bar of the picture: a person's presence and token lifetimes."""

    label: str
    identity: str
    role: str
    presences: tuple[Presence, ...] = ()
    tokens: tuple[TokenLife, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionHistory(JsonFields):
    """The story of an appointment's sessions, as ``vtctl history`` tells it."""

    JSON_FIELDS = HISTORY_FIELDS

    sources: SessionSources
    now: datetime
    events: tuple[Event, ...] = ()
    tracks: tuple[PersonTrack, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: one line each about what could not be read (Insights missing, older rooms not read)
    notes: tuple[str, ...] = ()

    def json_attr(self, name: str) -> Any:
        if name in ("appointment", "rooms"):
            return getattr(self.sources, name)
        return getattr(self, name)
