"""Renderables for ``vtctl inspect``: a decoded Twilio access token."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rich.text import Text

from vtctl.domain.jwt_inspect import (
    TWILIO_ALGORITHM,
    TWILIO_CONTENT_TYPE,
    InspectedToken,
    SignatureStatus,
)
from vtctl.ui.sheet import Field, Fields
from vtctl.util.timefmt import humanize_duration

SIGNATURE_TEXT: dict[SignatureStatus, str] = {
    "valid": "verified with the API secret",
    "unverified": "NOT verified: no API secret available",
    "invalid": "INVALID signature",
}
_SIGNATURE_STYLE: dict[SignatureStatus, str] = {
    "valid": "green",
    "unverified": "yellow",
    "invalid": "bold red",
}


def format_moment(moment: datetime) -> str:
    """``2025-11-16 10:30:00 CET (2025-11-16 09:30:00 UTC)``: local time and UTC."""
    local = moment.astimezone()
    utc = moment.astimezone(UTC)
    text = f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".rstrip()
    if local.utcoffset() == utc.utcoffset():
        return f"{utc:%Y-%m-%d %H:%M:%S} UTC"
    return f"{text} ({utc:%Y-%m-%d %H:%M:%S} UTC)"


def validity_text(token: InspectedToken, now: datetime) -> str:
    """``"valid, 59 min left"``, ``"expired 12 min ago"`` or ``"not valid yet ..."``."""
    if token.not_before is not None and now < token.not_before:
        starts_in = (token.not_before - now).total_seconds()
        return f"not valid yet: starts in {humanize_duration(starts_in)}"
    left = (token.expires_at - now).total_seconds()
    if left <= 0:
        return f"expired {humanize_duration(left)} ago"
    return f"valid, {humanize_duration(left)} left"


def signature_text(status: SignatureStatus, detail: str | None = None) -> str:
    return SIGNATURE_TEXT[status] + (f" ({detail})" if detail else "")


def _header_text(token: InspectedToken) -> Text:
    text = Text()
    for i, (name, value, expected) in enumerate(
        (
            ("alg", token.algorithm, TWILIO_ALGORITHM),
            ("typ", token.type, "JWT"),
            ("cty", token.content_type, TWILIO_CONTENT_TYPE),
        )
    ):
        if i:
            text.append("  ")
        text.append(f"{name} {value if value is not None else '(none)'}")
        if value != expected:
            text.append(f" (Twilio uses {expected})", style="yellow")
    return text


def _grant_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


INSPECT_TITLE = "Twilio access token"


def inspect_rows(
    token: InspectedToken,
    signature: SignatureStatus,
    detail: str | None = None,
    now: datetime | None = None,
) -> list[Field]:
    now = now or datetime.now(UTC)
    rows: list[Field] = [
        Field("header", _header_text(token)),
        Field("account SID", token.account_sid + "  (sub)"),
        Field("API key SID", token.api_key_sid + "  (iss)"),
        Field("jti", token.jti or "(none)"),
        Field("identity", token.identity if token.identity is not None else "(none)"),
    ]
    if token.has_video_grant:
        room = token.room_name if token.room_name is not None else "(any room)"
    else:
        room = "(no video grant)"
    rows.append(Field("video room", room))
    for name, value in token.grants.items():
        if name != "video" or set(value) - {"room"}:
            rows.append(Field(f"grant {name}", _grant_text(value)))
    if token.issued_at is not None:
        rows.append(Field("issued", format_moment(token.issued_at)))
    if token.not_before is not None:
        rows.append(Field("not before", format_moment(token.not_before)))
    rows.append(Field("expires", format_moment(token.expires_at)))
    if token.ttl is not None:
        spoken = f" ({humanize_duration(token.ttl)})" if token.ttl >= 60 else ""
        rows.append(Field("lifetime", f"{token.ttl} s{spoken}"))
    status = validity_text(token, now)
    style = "green" if status.startswith("valid") else "red"
    rows.append(Field("status", Text(status, style=style)))
    rows.append(Field(
        "signature", Text(signature_text(signature, detail), style=_SIGNATURE_STYLE[signature])
    ))
    return rows


def inspect_record(
    token: InspectedToken,
    signature: SignatureStatus,
    detail: str | None = None,
    now: datetime | None = None,
) -> Fields:
    return Fields(inspect_rows(token, signature, detail, now), title=INSPECT_TITLE)
