"""Rooms of appointments: their names (``apt-ID-SECONDS-HEX``, whose appointment a name
is) and, when Twilio gives no answer about one, the one mapping of why to an error for
both backends.  What a ``ROOM`` argument names is ``room_ref``."""

from __future__ import annotations

import re

from vtctl.domain.errors import (
    AuthenticationError,
    MissingCredentialsError,
    NetworkError,
    ServerError,
    VtctlError,
)
from vtctl.domain.rules import MAX_ID
from vtctl.util.text import quoted

#: a room name as rooms are created: ``apt-{appointment id}-{unix seconds}-{8 hex}``
ROOM_NAME = re.compile(r"apt-([0-9]{1,19})-[0-9]{1,19}-[0-9a-f]{8}")
def room_name_problem(room_name: str, appointment_id: int) -> str | None:
    """Why ``room_name`` cannot be appointment ``appointment_id``'s room (None: it can).

    The store holds only names of the form rooms are created with,
    ``apt-{appointment_id}-{unix_seconds}-{8 lowercase hex}``, and only the
    appointment's own: a name goes into Twilio URL paths and into access tokens'
    grants, so ``../../v1/Rooms/RM...`` or another appointment's room would address
    a room this appointment does not own.
    """
    expected = f"apt-{appointment_id}-SECONDS-HEX (e.g. apt-{appointment_id}-1763138954-46eb915c)"
    match = ROOM_NAME.fullmatch(room_name)
    if match is None:
        return f"{quoted(room_name)} is not a room name of the form {expected}"
    if match.group(1) != str(appointment_id):
        return (f"{quoted(room_name)} is the room of appointment {int(match.group(1))}, "
                f"not of appointment {appointment_id} ({expected})")
    return None


def appointment_of_room(room_name: str | None) -> int | None:
    """The appointment id a room name ``apt-ID-UNIX-HEX`` carries, else None."""
    match = ROOM_NAME.fullmatch(room_name or "")
    if match is None or not 0 < int(match.group(1)) <= MAX_ID:
        return None
    return int(match.group(1))


# -- when Twilio gives no answer: one mapping for both backends ------------------------

#: ``RoomStatus.unknown_reason`` -> the error it is on the command line (None: exit 0).
#: The local backend raises these itself; ``vtctl serve`` answers video-status with
#: ``status: "unknown"`` and the reason, and the remote backend raises the same error.
UNKNOWN_REASONS: dict[str, type[VtctlError] | None] = {
    "demo": None,
    "no-credentials": MissingCredentialsError,
    "twilio-rejected-credentials": AuthenticationError,
    "twilio-unreachable": NetworkError,
    "twilio-error": ServerError,
}
UNKNOWN_PREFIX = "room state unknown: "


def unknown_reason(error: VtctlError) -> str | None:
    """The reason code of an error that left the room's state unknown (None: another error)."""
    if isinstance(error, MissingCredentialsError):
        return "no-credentials"
    if isinstance(error, AuthenticationError):
        return "twilio-rejected-credentials"
    if isinstance(error, NetworkError):
        return "twilio-unreachable"
    if isinstance(error, ServerError):
        return "twilio-error"
    return None


def unknown_message(error: VtctlError) -> str:
    """The error's message as the reason the room's state is unknown."""
    if error.message.startswith(UNKNOWN_PREFIX):
        return error.message
    return UNKNOWN_PREFIX + error.message


def as_unknown_state(error: VtctlError) -> VtctlError:
    """The same error, saying that the room's state is unknown (other errors unchanged)."""
    if unknown_reason(error) is None or error.message.startswith(UNKNOWN_PREFIX):
        return error
    return type(error)(unknown_message(error)).advised_as(error)


#: what a server's reason means, said of that server (the remote backend relays it)
_SERVER_COULD_NOT = {
    "no-credentials": "the server at {server} has no Twilio credentials",
    "twilio-rejected-credentials": "Twilio refused the Twilio credentials of the server at "
                                   "{server}",
    "twilio-unreachable": "the server at {server} could not reach Twilio",
}


def unknown_state_error(reason: str | None, message: str | None, server: str | None = None
                        ) -> VtctlError | None:
    """The error a reported unknown state is, or None when it is not one (demo, or known).

    ``server``: who reported it (the remote backend's host); the error then says it was
    that server, not this machine, that could not ask Twilio, and where to look."""
    if reason is None:
        return None
    kind = UNKNOWN_REASONS.get(reason, ServerError)
    if kind is None:
        return None
    text = message or f"Twilio gave no answer ({reason})"
    if not text.startswith(UNKNOWN_PREFIX):
        text = UNKNOWN_PREFIX + text
    if server is None:
        return kind(text)
    said = text[len(UNKNOWN_PREFIX):]
    if "serve" not in said.lower():  # the server's words do not say it was the server
        what = _SERVER_COULD_NOT.get(reason, "Twilio answered the server at {server} with "
                                     "an error").format(server=server)
        text = f"{UNKNOWN_PREFIX}{what}: {said}"
    return kind(text, hint=f"this is the server's view: the server at {server} asks Twilio "
                "(its log has the details); with Twilio credentials here, "
                "`vtctl status ID --local` asks Twilio from this machine")
