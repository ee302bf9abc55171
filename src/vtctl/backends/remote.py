"""The remote backend: the guide's REST endpoints through ``RestClient``.

The Bearer JWT comes from ``VTCTL_JWT`` (wins, for CI) or else from the
keyring entry of the profile (``vtctl auth login``).  When the keyring's
access token has expired, or the server answers 401 to it, and a SimpleJWT
refresh token is stored beside it, a new access token is fetched from the
profile's ``refresh_path``, saved, and the request is sent again (once).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from vtctl.domain.errors import AuthenticationError, KeyringUnavailableError, UsageError
from vtctl.domain.models import Appointment, VideoToken
from vtctl.domain.room_info import RoomInfo
from vtctl.domain.room_ref import RoomRef
from vtctl.domain.room_state import RoomChange, RoomStatus, RoomSummary
from vtctl.domain.rooms import unknown_state_error

if TYPE_CHECKING:
    from datetime import datetime

    from vtctl.config.settings import Settings
    from vtctl.domain.history import SessionSources
    from vtctl.domain.sessions import SessionEvidence
    from vtctl.remote.client import RestClient

log = logging.getLogger("vtctl.remote")

ENV_JWT = "VTCTL_JWT"
NOT_LOGGED_IN = "not logged in: run `vtctl auth login` or set VTCTL_JWT"

JwtOrigin = Literal["environment", "keyring"]


@dataclass(frozen=True, slots=True)
class FoundJwt:
    value: str
    source: JwtOrigin
    storage: str | None = None  # a stored JWT: "plain file" or the keyring backend class


def find_jwt(profile: str, env: dict[str, str] | None = None) -> FoundJwt | None:
    """``VTCTL_JWT`` first, else the profile's stored JWT (keyring or plain file);
    None when neither."""
    env = dict(os.environ) if env is None else env
    from_env = env.get(ENV_JWT, "").strip()
    if from_env:
        return FoundJwt(from_env, "environment")
    from vtctl.config.secrets_store import find_secret

    stored = find_secret(profile, "jwt")
    if stored and stored.value.strip():
        return FoundJwt(stored.value.strip(), "keyring", stored.storage)
    return None


def _expired(found: FoundJwt, profile: str) -> AuthenticationError:
    """Where the expired JWT came from decides what fixes it."""
    from vtctl.domain.models import format_utc
    from vtctl.remote.parse import jwt_expired_at

    expired = jwt_expired_at(found.value)
    when = f" at {format_utc(expired)}" if expired is not None else ""
    if found.source == "environment":
        return AuthenticationError(
            f"the JWT in VTCTL_JWT expired{when}",
            hint="set VTCTL_JWT to a fresh token, or unset it to use the profile's login "
            "(`vtctl auth login` cannot help while VTCTL_JWT is set)",
        )
    return AuthenticationError(
        f"the login of profile {profile!r} expired{when}",
        hint=f"log in again: `vtctl auth login --profile {profile}`",
    )


class JwtProvider:
    """Called by ``RestClient`` before each request: the JWT to send.

    Resolved once per command.  An expired keyring token is refreshed with the
    stored refresh token when there is one.
    """

    def __init__(self, settings: Settings, env: dict[str, str] | None = None) -> None:
        self._settings = settings
        self._env = env
        self._value: str | None = None
        self._source: JwtOrigin | None = None
        self._renewed = False
        self.client: RestClient | None = None

    def __call__(self) -> str:
        if self._value is None:
            self._value = self._resolve()
        return self._value

    def _resolve(self) -> str:
        from vtctl.remote.parse import jwt_is_expired
        from vtctl.util.logsetup import register_secret

        profile = self._settings.profile
        try:
            found = find_jwt(profile, self._env)
        except KeyringUnavailableError as exc:
            raise KeyringUnavailableError(
                f"{NOT_LOGGED_IN} ({exc.message})", hint=exc.hint
            ) from exc
        if found is None:
            raise AuthenticationError(NOT_LOGGED_IN, hint=f"profile: {profile}")
        register_secret(found.value)
        self._source = found.source
        if not jwt_is_expired(found.value):
            return found.value
        if found.source == "keyring":
            self._renewed = True  # one refresh per command
            fresh = self._refreshed()
            if fresh:
                return fresh
        raise _expired(found, profile)

    def renew(self) -> str | None:
        """After a 401 (revoked, or a clock ahead of ours): a refreshed keyring token.

        None for ``VTCTL_JWT`` (vtctl cannot renew it), without a stored refresh
        token, or when this command has renewed once already.
        """
        if self._source != "keyring" or self._renewed:
            return None
        self._renewed = True
        fresh = self._refreshed()
        if fresh:
            self._value = fresh
        return fresh

    def _refreshed(self) -> str | None:
        from vtctl.config.secrets_store import get_secret, set_secret

        profile = self._settings.profile
        try:
            refresh = get_secret(profile, "refresh")
        except KeyringUnavailableError:  # a plain-file JWT on a machine without a keyring
            return None
        if not refresh or self.client is None:
            return None
        log.debug("access token expired; refreshing it at %s", self._settings.refresh_path)
        access, rotated = self.client.refresh_access(self._settings.refresh_path, refresh)
        try:
            set_secret(profile, "jwt", access)
            if rotated:
                set_secret(profile, "refresh", rotated)
        except KeyringUnavailableError as exc:  # still usable for this command
            log.debug("could not save the refreshed token: %s", exc.message)
        return access


class RemoteBackend:
    name = "remote"

    def __init__(self, client: RestClient) -> None:
        self.client = client

    @classmethod
    def from_settings(
        cls, settings: Settings, env: dict[str, str] | None = None
    ) -> RemoteBackend:
        from vtctl.remote.client import RestClient

        provider = JwtProvider(settings, env)
        client = RestClient(
            settings.base_url, provider, timeout=settings.timeout, ca_bundle=settings.ca_bundle,
            renew_jwt=provider.renew,
        )
        provider.client = client
        return cls(client)

    def video_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken:
        return self.client.video_token(appointment_id)  # as_user: the JWT decides remotely

    def refresh_token(self, appointment_id: int, as_user: str | None = None) -> VideoToken:
        return self.client.refresh_token(appointment_id)

    def resolve_room(self, ref: RoomRef) -> int:
        if ref.appointment_id is not None:
            return ref.appointment_id
        raise UsageError(f"a room SID ({ref.room_sid}) can only be looked up in Twilio",
                         hint="use the local backend (--local, with Twilio credentials), "
                              "or give the appointment id or the room name")

    def room_status(self, appointment_id: int) -> RoomStatus:
        from urllib.parse import urlsplit

        status = self.client.room_status(appointment_id)
        server = urlsplit(self.client.base_url).netloc or self.client.base_url
        error = unknown_state_error(status.unknown_reason, status.message, server=server)
        if error is not None:  # the same exit code as the local backend's
            raise error
        return status

    def check_room_operations(self, command: str) -> None:
        raise _local_only(command)

    def list_rooms(self, status: str | None, limit: int) -> list[RoomSummary]:
        raise _local_only("room list")

    def end_room(self, appointment_id: int) -> RoomChange:
        raise _local_only("room end")

    def kick(self, appointment_id: int, who: str) -> RoomChange:
        raise _local_only("room kick")

    def session_sources(self, appointment_id: int, room_name: str, all_rooms: bool = False
                        ) -> SessionSources:
        raise _local_only("history")

    def session_evidence(
        self, start: datetime, end: datetime, user: str | None, now: datetime
    ) -> SessionEvidence:
        raise _local_only("sessions")

    def next_appointment(self, user_id: int, after: datetime, excluding: int
                         ) -> Appointment | None:
        raise _local_only("appointment list --user")

    def create_room(self, appointment_id: int) -> RoomInfo:
        return self.client.create_room(appointment_id)

    def appointment(self, appointment_id: int) -> Appointment:
        return self.client.appointment(appointment_id)

    def close(self) -> None:
        self.client.close()


def _local_only(command: str) -> UsageError:
    return UsageError(
        f"`vtctl {command}` talks to Twilio directly and needs the local backend "
        "(the telehealth API has no endpoint for it)",
        hint="run it with --local (and TWILIO_* credentials)",
    )
