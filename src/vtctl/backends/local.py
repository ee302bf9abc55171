"""The local backend: the embedded engine over the SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from vtctl.config.settings import DEFAULT_TIMEOUT, Settings
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import (
    AppointmentNotFoundError,
    MissingCredentialsError,
    NotFoundError,
    VtctlError,
)
from vtctl.local.audit import AuditContext, AuditTrail
from vtctl.local.credentials import resolve_credentials
from vtctl.local.engine import TokenEngine
from vtctl.local.store import AppointmentStore

if TYPE_CHECKING:  # in annotations only: a command imports what it uses (vtctl token: none)
    from datetime import datetime

    from vtctl.domain.audit import AuditRecord
    from vtctl.domain.commands import Suggestion
    from vtctl.domain.history import SessionSources, TrailDoubt
    from vtctl.domain.models import Appointment, VideoToken
    from vtctl.domain.room_info import RoomInfo
    from vtctl.domain.room_ref import RoomRef
    from vtctl.domain.room_state import RoomChange, RoomStatus, RoomSummary
    from vtctl.domain.sessions import SessionEvidence, TwilioView
    from vtctl.net.deadline import Deadline


class LocalBackend:
    name = "local"

    def __init__(self, store: AppointmentStore, credentials: TwilioCredentials | None = None,
                 profile: str = "default", demo: bool = False,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.store = store
        self.timeout = timeout
        self._profile = profile
        self._demo = demo
        self._credentials = credentials
        self.engine = TokenEngine(
            store, self.credentials,
            audit=AuditTrail(store, AuditContext.current(profile)),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalBackend:
        store = open_store(settings)
        return cls(
            store, profile=settings.profile, demo=settings.is_demo, timeout=settings.timeout
        )

    def credentials(self) -> TwilioCredentials:
        """Resolved on first use: commands that only read the store need none."""
        if self._credentials is None:
            self._credentials = resolve_credentials(self._profile, demo=self._demo)
        return self._credentials

    def twilio_credentials(self) -> TwilioCredentials:
        """Credentials Twilio's REST API will accept: not the demo profile's."""
        found = self.credentials()
        if found.source == "demo":
            raise MissingCredentialsError.demo(
                "the demo profile's Twilio credentials are fake, so Twilio cannot be asked")
        return found

    def video_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken:
        with self._explained():
            return self.engine.issue(appointment_id, as_user)

    def refresh_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken:
        with self._explained():
            return self.engine.issue(appointment_id, as_user, command="refresh")

    def resolve_room(self, ref: RoomRef) -> int:
        """An id or a name carries the appointment id; a SID is looked up in Twilio."""
        if ref.appointment_id is not None:
            return ref.appointment_id
        from vtctl.domain.rooms import appointment_of_room
        from vtctl.twilio_video.manage import find_room_name

        sid = ref.room_sid or ref.text
        name = find_room_name(self.twilio_credentials(), sid, budget=self._twilio_budget())
        found = appointment_of_room(name)
        if found is None:
            raise NotFoundError(
                f"Twilio room {sid} ({name or 'no name'}) belongs to no appointment: "
                "its name is not apt-ID-...",
                hint="vtctl only manages the rooms of appointments",
            )
        return found

    def room_status(self, appointment_id: int) -> RoomStatus:
        from vtctl.domain.rooms import as_unknown_state
        from vtctl.twilio_video.rooms import fetch_room_status

        appointment = self.appointment(appointment_id)
        try:
            return fetch_room_status(self.credentials(), appointment,
                                     budget=self._twilio_budget())
        except VtctlError as exc:
            raise as_unknown_state(exc) from exc

    def _twilio_budget(self) -> Deadline:
        """``--timeout`` for all of one call's Twilio requests (made here, handed to the
        session; each ``status --watch`` refresh is a call of its own)."""
        from vtctl.twilio_video.client import twilio_budget

        return twilio_budget(self.timeout)

    def check_room_operations(self, command: str) -> None:
        """Twilio's API is right here: nothing to refuse."""

    def list_rooms(self, status: str | None, limit: int) -> list[RoomSummary]:
        from dataclasses import replace

        from vtctl.twilio_video.manage import list_rooms

        rooms = list_rooms(self.twilio_credentials(), status, limit,
                           budget=self._twilio_budget())
        enriched = []
        for room in rooms:
            found = (self.store.get_appointment(room.appointment_id)
                     if room.appointment_id is not None else None)
            if found is not None:
                room = replace(room, patient=found.patient, psychologist=found.psychologist)
            enriched.append(room)
        return enriched

    def end_room(self, appointment_id: int) -> RoomChange:
        from vtctl.twilio_video.manage import end_room

        appointment = self.appointment(appointment_id)
        return end_room(self.twilio_credentials(), appointment, budget=self._twilio_budget())

    def kick(self, appointment_id: int, who: str) -> RoomChange:
        from vtctl.twilio_video.manage import kick_participant

        appointment = self.appointment(appointment_id)
        return kick_participant(self.twilio_credentials(), appointment, who,
                                budget=self._twilio_budget())

    def session_sources(self, appointment_id: int, room_name: str, all_rooms: bool = False
                        ) -> SessionSources:
        from vtctl.domain.history import SessionSources
        from vtctl.twilio_video.history import read_sessions

        appointment = self.appointment(appointment_id)
        rooms, more = read_sessions(self.twilio_credentials(), appointment, room_name,
                                    all_rooms=all_rooms, timeout=self.timeout)
        tokens, doubt = self.tokens_for(appointment_id, room_name)
        return SessionSources(appointment, room_name, rooms, more, tokens, doubt)

    def tokens_for(self, appointment_id: int, room_name: str
                   ) -> tuple[tuple[AuditRecord, ...], TrailDoubt | None]:
        """The audit trail's records for the appointment, and `mint`'s for its room, and
        why they are not verified fact (None: they are): the whole trail is read once and
        checked as ``vtctl audit verify`` checks it, since a record removed or forged
        anywhere, or a key not kept here, leaves these records unproven too."""
        from vtctl.domain.errors import AuditTrailError
        from vtctl.local.trail_check import doubt_of

        try:
            everything = self.store.read_audit()
        except AuditTrailError as exc:  # the trail's tables were dropped: nothing to show
            return (), exc
        doubt = doubt_of(self.store, everything)
        mine = tuple(c.record for c in everything
                     if c.record.appointment_id == appointment_id
                     or (c.record.appointment_id is None and c.record.room_name == room_name))
        return mine, doubt

    def session_evidence(
        self, start: datetime, end: datetime, user: str | None, now: datetime
    ) -> SessionEvidence:
        from vtctl.domain.sessions import SessionEvidence, TwilioView
        from vtctl.local.schedule import appointment_query
        from vtctl.twilio_video.live import fetch_twilio_view

        query = appointment_query(self.store, user, start, end)
        appointments = tuple(self.store.iter_matching(query))
        rooms = {a.video_room_id: a.starts_at for a in appointments
                 if a.video_room_id and a.starts_at is not None}
        try:
            credentials = self.credentials()
        except VtctlError as exc:
            return SessionEvidence(appointments, TwilioView(failure=exc))
        view = fetch_twilio_view(credentials, rooms, now, timeout=self.timeout)
        return SessionEvidence(appointments, view, self._not_stored(appointments, view))

    def _not_stored(self, window: tuple[Appointment, ...], view: TwilioView) -> frozenset[int]:
        """The appointments live rooms outside the window are named for, and the store
        does not have (one lookup per such room: a handful)."""
        from vtctl.domain.rooms import appointment_of_room

        names = {a.video_room_id for a in window}
        named = {appointment_of_room(room.name) for room in view.live if room.name not in names}
        return frozenset(i for i in named
                         if i is not None and self.store.get_appointment(i) is None)

    def next_appointment(self, user_id: int, after: datetime, excluding: int
                         ) -> Appointment | None:
        from vtctl.local.appointment_query import AppointmentQuery

        query = AppointmentQuery(user_id=user_id, start=after)
        return next((a for a in self.store.iter_matching(query) if a.id != excluding), None)

    def create_room(self, appointment_id: int) -> RoomInfo:
        with self._explained():
            return self.engine.create_room(appointment_id)

    def appointment(self, appointment_id: int) -> Appointment:
        found = self.store.get_appointment(appointment_id)
        if found is None:
            raise AppointmentNotFoundError(suggests=self._which_store())
        return found

    @contextmanager
    def _explained(self) -> Iterator[None]:
        """"Appointment not found" from the engine says which store was read."""
        try:
            yield
        except AppointmentNotFoundError as exc:
            if exc.hint is None:
                exc.suggest(self._which_store())
            raise

    def _which_store(self) -> Suggestion:
        """The store that was read, and whether it is empty; the command that lists or
        fills it (``--store`` and ``--profile`` added by the CLI: ``for_backend``)."""
        from vtctl.domain.commands import STORE_FLAGS, Suggestion

        count = self.store.count_appointments()
        if count == 0:
            return Suggestion(("appointment", "import", "FILE"),
                              f"the store {self.store.path} is empty; `{{command}}` fills it",
                              STORE_FLAGS)
        return Suggestion(("appointment", "list"),
                          f"read the store {self.store.path} ({count} appointment"
                          f"{'' if count == 1 else 's'}); see `{{command}}`", STORE_FLAGS)

    def close(self) -> None:
        self.store.close()


def open_store(settings: Settings, *, create: bool = False) -> AppointmentStore:
    """Open the profile's store; only writers that fill it (``create``) may make it.

    The demo profile's store is made and seeded on first use, so it can always be
    started afresh: deleting it is the way out when its trail's key is gone (a key
    file deleted, another keyring), and its ``AuditKeyError`` says so.
    """
    afresh = (f"to start the demo afresh, delete its store {settings.store_path}: the next "
              "demo command seeds it with the shipped data again (what was added to it, "
              "and its audit trail, go with it)") if settings.is_demo else None
    store = AppointmentStore.open(settings.store_path, create=create or settings.is_demo,
                                  afresh=afresh)
    if settings.is_demo and not store.list_appointments(limit=1):
        from vtctl.local.demo import demo_data_text
        from vtctl.local.importer import parse_import

        data = parse_import(demo_data_text().encode(), source="demo data")
        store.import_records(data.users, data.appointments)
    return store

