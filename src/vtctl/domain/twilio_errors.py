"""Twilio's Video error codes, with a one-line meaning each.

A Video Insights participant summary carries the numeric ``error_code`` the
participant's SDK reported when it left.  The meanings are Twilio's own
titles, taken from its published Error and Warning Dictionary
(https://www.twilio.com/docs/api/errors, one page per code, e.g.
https://www.twilio.com/docs/api/errors/53405) and the same table generated into
twilio-video.js (``lib/util/twilio-video-errors.js``).  A code not listed here
is shown as its number with the ``error_code_url`` Twilio sent (or the
dictionary's page for that code).
"""

from __future__ import annotations

from dataclasses import dataclass

#: the dictionary page of a code, when Twilio sent no ``error_code_url``
DICTIONARY_URL = "https://www.twilio.com/docs/api/errors/{code}"


@dataclass(frozen=True, slots=True)
class VideoError:
    code: int
    #: signalling, media, room, participant, track, configuration or token
    kind: str
    meaning: str


_CODES: tuple[tuple[int, str, str], ...] = (
    (20101, "token", "Invalid Access Token"),
    (20102, "token", "Invalid Access Token header"),
    (20103, "token", "Invalid Access Token issuer/subject"),
    (20104, "token", "Access Token expired or expiration date invalid"),
    (20105, "token", "Access Token not yet valid"),
    (20106, "token", "Invalid Access Token grants"),
    (20107, "token", "Invalid Access Token signature"),
    (53000, "signalling", "Signaling connection error"),
    (53001, "signalling", "Signaling connection disconnected"),
    (53002, "signalling", "Signaling connection timed out"),
    (53003, "signalling", "Client received an invalid signaling message"),
    (53004, "signalling", "Client sent an invalid signaling message"),
    (53100, "room", "Room name is invalid"),
    (53101, "room", "Room name is too long"),
    (53102, "room", "Room name contains invalid characters"),
    (53103, "room", "Unable to create Room"),
    (53104, "room", "Unable to connect to Room"),
    (53105, "room", "Room contains too many Participants"),
    (53106, "room", "Room not found"),
    (53107, "room", "MaxParticipants is out of range"),
    (53108, "room", "RoomType is not valid"),
    (53109, "room", "Timeout is out of range"),
    (53110, "room", "StatusCallbackMethod is invalid"),
    (53111, "room", "StatusCallback is invalid"),
    (53112, "room", "Status is invalid"),
    (53113, "room", "Room exists"),
    (53118, "room", "Room completed (ended via the REST API)"),
    (53119, "room", "The concurrent Rooms quota was exceeded"),
    (53200, "participant", "Participant identity is invalid"),
    (53201, "participant", "Participant identity is too long"),
    (53202, "participant", "Participant identity contains invalid characters"),
    (53203, "participant", "Participant has too many Tracks"),
    (53204, "participant", "Participant not found"),
    (53205, "participant", "Participant disconnected because of duplicate identity"),
    (53300, "track", "Track is invalid"),
    (53301, "track", "Track name is invalid"),
    (53302, "track", "Track name is too long"),
    (53303, "track", "Track name contains invalid characters"),
    (53304, "track", "Track name is duplicated"),
    (53400, "media", "Client is unable to create or apply a local media description"),
    (53401, "media", "Server is unable to create or apply a local media description"),
    (53402, "media", "Client is unable to apply a remote media description"),
    (53403, "media", "Server is unable to apply a remote media description"),
    (53404, "media", "No supported codec"),
    (53405, "media", "Media connection failed or Media activity ceased"),
    (53407, "media", "Media connection failed due to DTLS handshake failure"),
    (53500, "configuration", "Unable to acquire configuration"),
    (53501, "configuration", "Unable to acquire TURN credentials"),
)

VIDEO_ERRORS: dict[int, VideoError] = {
    code: VideoError(code, kind, meaning) for code, kind, meaning in _CODES
}


def video_error(code: int) -> VideoError | None:
    return VIDEO_ERRORS.get(code)


def describe_error(code: int, url: str | None = None) -> str:
    """``53405 Media connection failed or Media activity ceased``, or for a code not in
    the table ``53999 (see https://...)`` with Twilio's ``error_code_url``."""
    known = VIDEO_ERRORS.get(code)
    if known is not None:
        return f"{code} {known.meaning}"
    return f"{code} (see {url or DICTIONARY_URL.format(code=code)})"
