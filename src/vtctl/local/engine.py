"""The embedded token engine: the API guide's rules over the local store.

No CLI and no HTTP here: ``vtctl token --local``, ``vtctl serve`` and the
benchmarks all call ``TokenEngine``.  ``twilio`` is imported on first mint.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vtctl.domain import rules
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import (
    AppointmentNotFoundError,
    NoUserGivenError,
    NoVideoRoomError,
    PermissionDeniedError,
    TokenGenerationError,
    UserNotFoundError,
)
from vtctl.domain.models import Appointment, User, VideoToken
from vtctl.local.audit import AuditSink, Minted
from vtctl.local.store import AppointmentStore
from vtctl.util.text import quoted

if TYPE_CHECKING:
    from vtctl.domain.room_info import RoomInfo

_TWILIO_CLASSES: tuple[Any, Any] | None = None


def _load_twilio() -> tuple[Any, Any]:
    """(AccessToken, VideoGrant), imported on first mint and then kept in
    ``_TWILIO_CLASSES``: a function-level ``from ... import`` costs ~1 us a token."""
    global _TWILIO_CLASSES
    from twilio.jwt.access_token import AccessToken
    from twilio.jwt.access_token.grants import VideoGrant

    from vtctl.domain.short_keys import ignore_short_key_warning

    ignore_short_key_warning()  # once here, at the boundary, not per token

    _TWILIO_CLASSES = (AccessToken, VideoGrant)
    return _TWILIO_CLASSES


def mint_access_token(
    credentials: TwilioCredentials, identity: str, room_name: str, issued_at: int, ttl: int
) -> str:
    """A Twilio Video access token (HS256, ``cty: twilio-fpa;v=1``) for any identity."""
    _check_identity(identity)
    return _signed(credentials, identity, room_name, issued_at, ttl)


def _check_identity(identity: str) -> None:
    if problem := rules.identity_problem(identity):
        raise TokenGenerationError.because(f"the identity {problem}")


@functools.lru_cache(maxsize=1024)
def _checked_identity(user_id: int, email: str) -> str:
    """The token identity of the user ``user_id``/``email``, checked by the identity rule.

    Cached because serve mints for the same users all day: building the string and
    checking it cost ~2.7 K instructions a token, a hit well under 1 K.  Keyed by the
    two values the identity is made of (an int and a str: cheap to hash and compare,
    unlike the whole ``User`` record).  The rule is a pure function of them, so a hit
    is its verdict; a refused identity raises again on every mint (``lru_cache``
    keeps no exceptions)."""
    identity = rules.user_identity_of(user_id, email)
    _check_identity(identity)
    return identity


@functools.lru_cache(maxsize=256)
def _lifetime(duration_minutes: int) -> tuple[int, str]:
    """(seconds, the guide's ``token_valid_until`` text) of a token for an appointment
    this long: both rules at once, cached per duration (a handful of distinct ones) as
    one lookup instead of a call and a lookup on every token."""
    minutes = rules.token_lifetime_minutes(duration_minutes)
    return minutes * 60, rules.token_valid_until(minutes)


def _signed(
    credentials: TwilioCredentials, identity: str, room_name: str, issued_at: int, ttl: int
) -> str:
    """The token itself: twilio's AccessToken with one VideoGrant (identity checked)."""
    # the global itself, not a function returning it: a call is ~0.5 K instructions a token
    AccessToken, VideoGrant = _TWILIO_CLASSES or _load_twilio()
    token = AccessToken(
        credentials.account_sid,
        credentials.api_key,
        credentials.api_secret,
        identity=identity,
        ttl=ttl,
        nbf=issued_at,
        valid_until=issued_at + ttl,
    )
    token.add_grant(VideoGrant(room=room_name))
    try:
        jwt: str = token.to_jwt()  # text: PyJWT >= 2 (pyproject) never returns bytes
    except Exception as exc:  # twilio/PyJWT raise assorted errors on bad keys
        raise TokenGenerationError.because(exc) from exc
    return jwt


class TokenEngine:
    """Mint tokens for stored appointments following the guide's check order.

    With an ``audit`` sink every minted token is reported to it before it is
    returned (``command`` names who asked: token, refresh, serve); a sink that
    fails fails the mint, so no token leaves without its record.
    """

    def __init__(
        self,
        store: AppointmentStore,
        credentials: Callable[[], TwilioCredentials],
        clock: Callable[[], float] = time.time,
        audit: AuditSink | None = None,
        command: str = "token",
    ) -> None:
        self.store = store
        self._credentials = credentials
        self._clock = clock
        self.audit = audit
        self.command = command

    def authorize(
        self, appointment_id: int, user_ref: str | int | None
    ) -> tuple[Appointment, User]:
        """404 appointment -> 403 permission -> 404 no room, as the guide orders them."""
        appointment, user = self.check_participant(appointment_id, user_ref)
        if not appointment.video_room_id:
            raise NoVideoRoomError.of(appointment_id)
        return appointment, user

    def check_participant(
        self, appointment_id: int, user_ref: str | int | None
    ) -> tuple[Appointment, User]:
        """The guide's first two checks: the appointment exists (404), the user is in it (403)."""
        appointment = self.store.get_appointment(appointment_id)
        if appointment is None:
            raise AppointmentNotFoundError()
        choices = (f"the patient ({_describe(appointment.patient)}) or the psychologist "
                   f"({_describe(appointment.psychologist)})")
        if user_ref is None or (isinstance(user_ref, str) and not user_ref.strip()):
            raise NoUserGivenError(f"which user should the token be for? {choices}",
                                   choices=choices)
        user = self.store.find_user(user_ref)
        if user is None:
            raise UserNotFoundError(
                f"no user {quoted(str(user_ref))} in the store {self.store.path}",
                hint=f"a user id or email: {choices}",
            )
        if user.id not in appointment.participant_ids():
            raise PermissionDeniedError(
                hint=f"{_describe(user)} is not in appointment {appointment_id}: it is for "
                f"{choices}")
        return appointment, user

    def issue(
        self, appointment_id: int, user_ref: str | int | None, command: str | None = None
    ) -> VideoToken:
        appointment, user = self.authorize(appointment_id, user_ref)
        return self.mint_for(appointment, user, command)

    def mint_for(
        self, appointment: Appointment, user: User, command: str | None = None
    ) -> VideoToken:
        """Mint for an already authorized pair (the hot path of ``serve``)."""
        assert appointment.video_room_id is not None
        ttl, valid_until = _lifetime(appointment.duration_minutes)
        issued_at = int(self._clock())
        identity = _checked_identity(user.id, user.email)
        access_token = _signed(
            self._credentials(), identity, appointment.video_room_id, issued_at, ttl
        )
        if self.audit is not None:
            self.audit.minted(Minted(command or self.command, appointment.id, identity,
                                     appointment.video_room_id, ttl, issued_at, access_token))
        return VideoToken(  # positional: the guide's field order, on serve's hot path
            access_token,
            appointment.video_room_id,
            identity,
            ttl,
            _utc(issued_at + ttl),
            appointment.id,
            appointment.duration_minutes,
            valid_until,
        )

    def create_room(self, appointment_id: int) -> RoomInfo:
        """Set a room name once; asking again returns the same room."""
        from vtctl.domain.room_info import RoomInfo

        appointment = self.store.get_appointment(appointment_id)
        if appointment is None:
            raise AppointmentNotFoundError()
        if appointment.video_room_id:
            return RoomInfo(appointment_id, appointment.video_room_id, created=False)
        candidate = rules.new_room_name(appointment_id, datetime.fromtimestamp(self._clock(), UTC))
        room, created = self.store.set_room_if_absent(appointment_id, candidate)
        return RoomInfo(appointment_id, room, created=created)


@functools.lru_cache(maxsize=64)  # serve mints many tokens a second: one datetime each
def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _describe(user: User | None) -> str:
    return f"{user.id} {user.email}" if user else "unknown"
