"""Room status from Twilio's Video Rooms and Participants REST API (local backend).

The ``twilio`` library talks to Twilio through an httpx-based
``twilio.http.HttpClient`` (so tests stand in for Twilio with pytest-httpx and
every request has a timeout).  This module is the one boundary where httpx
and twilio exceptions become ``vtctl.domain.errors``.

``twilio`` and ``httpx`` are imported inside the functions that use them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from vtctl.domain.errors import (
    AuthenticationError,
    NetworkError,
    NoVideoRoomError,
    RequestTimeoutError,
    ServerError,
    VtctlError,
)
from vtctl.domain.models import Appointment, Participant, RoomStatus

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials

log = logging.getLogger("vtctl.twilio")

DEFAULT_TIMEOUT = 10.0
#: Group rooms hold at most 50 participants: one page holds every connected one.
CONNECTED_PAGE_SIZE = 50
#: How many recently disconnected participants to show (one page, newest first).
DISCONNECTED_LIMIT = 20

NO_ROOM_MESSAGE = "No video room found for this appointment"
NOT_CREATED_MESSAGE = (
    "the room does not exist in Twilio yet: it is created when the first participant connects"
)
DEMO_MESSAGE = (
    "the demo profile's Twilio credentials are fake, so Twilio is not asked: "
    "set TWILIO_* credentials and use another profile to see the real room"
)
_CREDENTIALS_HINT = (
    "check TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET "
    "(or the credentials stored with `vtctl auth twilio`): the API key must belong "
    "to that account and not be revoked"
)
_RETRY_HINT = "check your network connection and that https://video.twilio.com is reachable"


# -- the httpx-based HttpClient for the twilio library --------------------------------


@cache
def _httpx_http_client_class() -> type[Any]:
    """Build the ``twilio.http.HttpClient`` subclass on first use (lazy imports)."""
    import httpx
    from twilio.http import HttpClient
    from twilio.http.response import Response

    class HttpxHttpClient(HttpClient):  # type: ignore[misc]
        """``twilio.http.HttpClient`` over an ``httpx.Client``, with a timeout.

        httpx transport errors are translated to ``NetworkError`` /
        ``RequestTimeoutError`` here; HTTP error statuses are returned as
        responses, for the twilio library to raise ``TwilioRestException``.
        """

        def __init__(
            self, timeout: float = DEFAULT_TIMEOUT, client: httpx.Client | None = None
        ) -> None:
            super().__init__(log, False, timeout)
            self._owned = client is None
            self.client = client if client is not None else httpx.Client(timeout=timeout)

        def request(
            self,
            method: str,
            url: str,
            params: dict[str, object] | None = None,
            data: dict[str, object] | None = None,
            headers: dict[str, str] | None = None,
            auth: tuple[str, str] | None = None,
            timeout: float | None = None,
            allow_redirects: bool = False,
        ) -> Response:
            if timeout is not None and timeout <= 0:
                raise ValueError(timeout)
            seconds = timeout if timeout is not None else self.timeout
            content_type = (headers or {}).get("Content-Type", "")
            body: dict[str, Any] = {}
            if data:
                body = {"json": data} if content_type.endswith("json") else {"data": data}
            log.debug("%s %s params=%s", method.upper(), url, params or {})
            try:
                reply = self.client.request(
                    method.upper(),
                    url,
                    params=_query(params),
                    headers=headers,
                    auth=auth,
                    timeout=seconds if seconds is not None else DEFAULT_TIMEOUT,
                    follow_redirects=allow_redirects,
                    **body,
                )
            except httpx.TimeoutException as exc:
                raise RequestTimeoutError(
                    f"Twilio did not answer within {seconds:g} s ({method.upper()} {url})",
                    hint=_RETRY_HINT,
                ) from exc
            except httpx.HTTPError as exc:
                raise NetworkError(
                    f"cannot reach Twilio ({method.upper()} {url}): {exc or type(exc).__name__}",
                    hint=_RETRY_HINT,
                ) from exc
            log.debug("-> HTTP %s", reply.status_code)
            response = Response(reply.status_code, reply.text, reply.headers)
            self._test_only_last_response = response
            return response

        def close(self) -> None:
            if self._owned:
                self.client.close()

    return HttpxHttpClient


def _query(params: dict[str, object] | None) -> dict[str, Any] | None:
    if not params:
        return None
    return {k: v for k, v in params.items() if v is not None}


def make_http_client(timeout: float = DEFAULT_TIMEOUT, client: Any | None = None) -> Any:
    """An httpx-based ``twilio.http.HttpClient`` (optionally over a given ``httpx.Client``)."""
    return _httpx_http_client_class()(timeout=timeout, client=client)


# -- room status ----------------------------------------------------------------------


def fetch_room_status(
    credentials: TwilioCredentials,
    appointment: Appointment,
    http_client: Any | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    include_disconnected: bool = True,
    now: datetime | None = None,
) -> RoomStatus:
    """Ask Twilio about the appointment's room and who is (or was) in it.

    ``http_client``: a ``twilio.http.HttpClient`` or an ``httpx.Client`` to use;
    by default a fresh httpx-based one with ``timeout`` (closed afterwards).

    A room Twilio does not know (HTTP 404) is reported with status
    ``not-created`` (rooms are created when the first participant connects),
    or ``completed`` when a finished room of that name is found.
    """
    room_name = appointment.video_room_id
    if not room_name:
        raise NoVideoRoomError(
            NO_ROOM_MESSAGE, hint=f"create one with `vtctl room create {appointment.id}`"
        )
    if credentials.source == "demo":
        return RoomStatus(
            appointment_id=appointment.id, room_name=room_name, status="offline",
            message=DEMO_MESSAGE,
        )

    from twilio.base.exceptions import TwilioException
    from twilio.http import HttpClient
    from twilio.rest import Client

    from vtctl.util.logsetup import register_secret

    register_secret(credentials.api_secret)
    owned = None
    if isinstance(http_client, HttpClient):
        transport = http_client
    else:
        transport = owned = make_http_client(timeout=timeout, client=http_client)
    client = Client(
        credentials.api_key, credentials.api_secret, credentials.account_sid,
        http_client=transport,
    )
    try:
        return _room_status(client, appointment, room_name, include_disconnected)
    except VtctlError:
        raise
    except TwilioException as exc:
        raise _translate(exc) from exc
    finally:
        if owned is not None:
            owned.close()


def _room_status(
    client: Any, appointment: Appointment, room_name: str, include_disconnected: bool
) -> RoomStatus:
    rooms = client.video.v1.rooms
    room = _fetch_room(client, room_name)
    if room is None:
        return RoomStatus(
            appointment_id=appointment.id, room_name=room_name, status="not-created",
            participant_count=0, message=NOT_CREATED_MESSAGE,
        )

    participants_api = rooms(room.sid).participants
    if room.status == "in-progress":
        found = list(
            participants_api.list(
                status="connected", limit=CONNECTED_PAGE_SIZE, page_size=CONNECTED_PAGE_SIZE
            )
        )
        connected = len(found)
        if include_disconnected:
            gone = participants_api.list(
                status="disconnected", limit=DISCONNECTED_LIMIT, page_size=DISCONNECTED_LIMIT
            )
            present = {p.identity for p in found}
            found += [p for p in gone if p.identity not in present]
    else:
        # a finished room has only disconnected participants
        found = list(participants_api.list(limit=DISCONNECTED_LIMIT, page_size=DISCONNECTED_LIMIT))
        connected = 0

    return RoomStatus(
        appointment_id=appointment.id,
        room_name=room.unique_name or room_name,
        status=room.status,
        sid=room.sid,
        room_type=room.type,
        created_at=_utc(room.date_created),
        duration_seconds=room.duration,
        max_participants=room.max_participants,
        participants=tuple(_participant(p, appointment) for p in _dedupe(found)),
        participant_count=connected,
    )


def _fetch_room(client: Any, room_name: str) -> Any | None:
    """The in-progress room of that unique name, else the latest completed one, else None."""
    from twilio.base.exceptions import TwilioRestException

    rooms = client.video.v1.rooms
    try:
        return rooms(room_name).fetch()
    except TwilioRestException as exc:
        if exc.status != 404:
            raise
    # a unique name addresses only in-progress rooms: look for a finished one
    finished = rooms.list(unique_name=room_name, status="completed", limit=1, page_size=1)
    return finished[0] if finished else None


def _dedupe(found: list[Any]) -> list[Any]:
    """Every connected record (one identity connected twice is a ghost worth seeing),
    else the first record per identity (connected ones come first)."""
    seen: set[str | None] = set()
    kept = []
    for record in found:
        if record.identity in seen and record.status != "connected":
            continue
        seen.add(record.identity)
        kept.append(record)
    return kept


def _participant(record: Any, appointment: Appointment) -> Participant:
    identity = record.identity or "?"
    return Participant(
        identity=identity,
        status=record.status,
        sid=record.sid,
        role=role_of(identity, appointment),
        connected_at=_utc(record.start_time or record.date_created),
        disconnected_at=_utc(record.end_time),
        duration_seconds=record.duration,
    )


def role_of(identity: str, appointment: Appointment) -> str | None:
    """``patient`` / ``psychologist`` for an identity ``{user_id}-{email}``, else None."""
    folded = identity.strip().casefold()
    users = (("patient", appointment.patient), ("psychologist", appointment.psychologist))
    for role, user in users:
        if user is not None and folded == f"{user.id}-{user.email}".casefold():
            return role
    user_id, sep, _ = folded.partition("-")
    if sep and user_id.isascii() and user_id.isdigit():
        if int(user_id) == appointment.patient_id:
            return "patient"
        if int(user_id) == appointment.psychologist_id:
            return "psychologist"
    return None


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _translate(exc: Exception) -> VtctlError:
    """A twilio exception as the vtctl error of its HTTP status."""
    status, detail = _status_and_detail(exc)
    if status == 401:
        return AuthenticationError(
            f"Twilio rejected the credentials (HTTP 401{detail})", hint=_CREDENTIALS_HINT
        )
    if status == 403:
        return AuthenticationError(
            f"Twilio refused access to Video rooms (HTTP 403{detail})", hint=_CREDENTIALS_HINT
        )
    if status is not None and status >= 500:
        return ServerError(f"Twilio failed (HTTP {status}{detail})", hint="try again later")
    if status is not None:
        return ServerError(f"Twilio refused the request (HTTP {status}{detail})")
    return ServerError(f"unexpected reply from Twilio: {_plain(exc)}")


def _status_and_detail(exc: Exception) -> tuple[int | None, str]:
    from twilio.base.exceptions import TwilioRestException, TwilioServiceException

    if isinstance(exc, TwilioRestException):
        code = f", Twilio error {exc.code}" if exc.code and exc.code != exc.status else ""
        return int(exc.status), f"{code}: {exc.msg}" if exc.msg else code
    if isinstance(exc, TwilioServiceException):
        return int(exc.status), f", Twilio error {exc.code}: {exc.detail or exc.title}"
    # Page.process_response raises TwilioException("Unable to fetch page", response)
    for arg in exc.args[1:]:
        status = getattr(arg, "status_code", None)
        if isinstance(status, int):
            return status, f": {exc.args[0]}"
    return None, ""


def _plain(exc: Exception) -> str:
    return str(exc.args[0]) if exc.args else type(exc).__name__
