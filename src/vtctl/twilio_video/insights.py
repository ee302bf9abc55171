"""Twilio Video Insights (the Video Log Analyzer API): why a room ended, why each
participant left, and with which browser, OS and SDK.

``https://insights.twilio.com/v1/Video/Rooms/{RoomSid}`` and ``.../Participants``,
through twilio's public ``client.insights.v1`` inside
:func:`vtctl.twilio_video.client.twilio_session` (``insights=True``:
``VTCTL_TWILIO_INSIGHTS_URL`` replaces the host).

Insights is optional: an account may not have it (404 or 403), and Twilio makes
a room's summaries within about thirty minutes of its end and keeps them seven
days.  Nothing here raises for that: each function returns what it could read
and, when something is missing, one line saying why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vtctl.domain.errors import VtctlError
from vtctl.domain.history import ParticipantInsights, Publisher, RoomInsights
from vtctl.twilio_video import paths
from vtctl.twilio_video.paging import records
from vtctl.twilio_video.rooms import count_of, text

#: Insights' largest page
PAGE_SIZE = 1000
#: a field of ``publisher_info`` longer than this is cut (it is free text from a browser)
MAX_FIELD = 60

NOT_FOUND = ("Video Insights has no summary of it (HTTP 404): Twilio makes summaries within "
             "about 30 minutes of a room's end and keeps them 7 days, and not every account "
             "has Video Insights")
REFUSED = ("Twilio refused Video Insights (HTTP {status}): the API key may not have access "
           "to it, or Video Insights is not enabled for the account")
NOT_READY = ("Video Insights has not finished summarising it yet (processing state {state}); "
             "run this again in a few minutes")

#: exceptions that mean "this part could not be read" (twilio's and its deserializers')
_READ_FAILURES: tuple[type[BaseException], ...] = (
    VtctlError, KeyError, TypeError, ValueError, AttributeError,
)


@dataclass(frozen=True, slots=True)
class Gap:
    """Why a part of Video Insights is missing."""

    reason: str
    #: the answer would be the same for every room (refused, unreachable): ask no more
    every_room: bool = False


def room_insights(client: Any, room_sid: str) -> tuple[RoomInsights | None, Gap | None]:
    """The room's summary and, when it is missing or not final, why."""
    try:
        record = paths.insights_room_api(client, room_sid).fetch()
    except Exception as exc:  # twilio's exceptions and errors: see gap()
        return None, gap(exc)
    summary = RoomInsights(
        end_reason=text(record.end_reason),
        processing_state=text(record.processing_state),
        media_region=text(record.media_region),
        edge_location=text(record.edge_location),
    )
    if summary.processing_state not in (None, "complete"):
        return summary, Gap(NOT_READY.format(state=summary.processing_state))
    return summary, None


def participant_summaries(client: Any, room_sid: str) -> Iterator[ParticipantInsights]:
    """Each participant's summary, page by page (a failure is raised: see ``gap``)."""
    first = paths.insights_room_api(client, room_sid).participants.page(page_size=PAGE_SIZE)
    for record in records(first):
        yield participant_insights(record)


def participant_insights(record: Any) -> ParticipantInsights:
    code = record.error_code
    return ParticipantInsights(
        participant_sid=text(record.participant_sid),
        end_reason=text(record.end_reason),
        error_code=count_of(code) or None,
        error_code_url=text(record.error_code_url),
        edge_location=text(record.edge_location),
        media_region=text(record.media_region),
        codecs=tuple(c for c in (text(v) for v in _list(record.codecs)) if c),
        publisher=publisher_of(record.publisher_info),
    )


def publisher_of(info: object) -> Publisher | None:
    """``publisher_info`` as a ``Publisher``.

    Twilio's OpenAPI description leaves this object untyped; its event schema
    nests ``browser``/``os`` as ``{name, version}`` while the REST examples use
    flat ``*_name``/``*_version`` keys.  Both are read.
    """
    if not isinstance(info, dict) or not info:
        return None
    found = Publisher(
        sdk=_field(info, "sdk_name", "name", "sdk.name", "sdk"),
        sdk_version=_field(info, "sdk_version", "version", "sdk.version"),
        browser=_field(info, "browser_name", "browser.name"),
        browser_version=_field(info, "browser_version", "browser_major_version",
                               "browser.version"),
        os=_field(info, "os_name", "os.name"),
        os_version=_field(info, "os_version", "os.version"),
    )
    return found if found.text() else None


def gap(exc: BaseException) -> Gap:
    """Why a part of Video Insights is missing, from what reading it raised."""
    from twilio.base.exceptions import TwilioException

    from vtctl.twilio_video.client import AUTH_ERROR_CODE, NOT_FOUND_CODE, twilio_status

    if isinstance(exc, TwilioException):
        status, code = twilio_status(exc)
        if status == 404 or code == NOT_FOUND_CODE:
            return Gap(NOT_FOUND)
        if status in (401, 403) or code == AUTH_ERROR_CODE:
            return Gap(REFUSED.format(status=status), every_room=True)
        return Gap(f"Video Insights could not be read (HTTP {status or '?'})")
    if isinstance(exc, VtctlError):
        return Gap(f"Video Insights could not be read: {exc.message}", every_room=True)
    if isinstance(exc, _READ_FAILURES):
        return Gap("Video Insights sent a reply vtctl cannot read")
    raise exc


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _field(info: dict[Any, Any], *keys: str) -> str | None:
    for key in keys:
        value: object = info
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            value = str(value)
        shown = text(value)
        if shown:
            return shown if len(shown) <= MAX_FIELD else shown[: MAX_FIELD - 1] + "…"
    return None
