"""``vtctl diagnose --token -``: a token in hand checked against the appointment.

Pure: the token arrives decoded (or with the reason it does not decode) and
with its signature verdict; the checks compare it with the appointment and
the local clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vtctl.checks import diagnose_actions as act
from vtctl.checks.diagnose import Fixes
from vtctl.domain import rules
from vtctl.domain.errors import MissingCredentialsError, UsageError
from vtctl.domain.findings import Finding
from vtctl.domain.jwt_inspect import InspectedToken, SignatureStatus
from vtctl.domain.models import Appointment
from vtctl.domain.room_ref import parse_room_ref
from vtctl.twilio_video.rooms import role_of
from vtctl.util.text import printable
from vtctl.util.timefmt import humanize_duration

#: clock differences below this are noise (network latency, rounding)
SKEW_TOLERANCE_SECONDS = 5


@dataclass(frozen=True, slots=True)
class TokenInHand:
    """A pasted token as decoded, or why it could not be."""

    token: InspectedToken | None
    error: str | None = None
    signature: SignatureStatus = "unverified"
    signature_detail: str | None = None


def token_findings(hand: TokenInHand, appointment: Appointment, now: datetime,
                   fixes: Fixes | None = None) -> list[Finding]:
    """The token's checks; a bad token is fixed in the browser that holds it (a reload
    fetches a new one), never by minting one here (``fixes`` is not needed: no command
    reaches that browser)."""
    token = hand.token
    if token is None:
        return [Finding("token", "problem", f"the token does not decode: {hand.error}",
                        act.tell("whoever sent it", "send the whole token again (three parts "
                                 "joined by dots)"))]
    who = _owner(token, appointment)
    reload = act.reload_page(who)
    return [
        Finding("token", "ok", f"a Twilio access token of API key {token.api_key_sid}"),
        signature(hand, reload),
        identity(token, appointment, who),
        room(token, appointment, reload, who),
        validity(token, now, reload),
        lifetime(token, reload),
    ]


def _owner(token: InspectedToken, appointment: Appointment) -> str:
    """Who holds the token, to tell them: the appointment's user its identity names."""
    role = role_of(token.identity, appointment) if token.identity else None
    if role == "patient":
        return act.person(appointment.patient, role)
    if role == "psychologist":
        return act.person(appointment.psychologist, role)
    return "whoever holds the token"


def signature(hand: TokenInHand, reload: str) -> Finding:
    if hand.signature == "valid":
        return Finding("token_signature", "ok", f"signature verified ({hand.signature_detail})")
    if hand.signature == "invalid":
        return Finding("token_signature", "problem",
                       f"the signature is invalid ({hand.signature_detail}): Twilio will reject "
                       "the token", reload)
    why = "no Twilio API secret is known here, so the signature was not verified"
    return Finding("token_signature", "warning", f"could not run: {why}",
                   fault=MissingCredentialsError(
                       why, hint="set TWILIO_API_SECRET or store it with `vtctl auth twilio`"))


def identity(token: InspectedToken, appointment: Appointment, who: str = "them") -> Finding:
    if not token.identity:
        return Finding("token_identity", "problem", "the token has no identity grant",
                       act.reload_page(who))
    shown = printable(token.identity)
    role = role_of(token.identity, appointment)
    if role is None:
        return Finding("token_identity", "problem",
                       f"{shown} is neither the patient nor the psychologist of appointment "
                       f"{appointment.id}: they are logged in as someone else",
                       act.log_in_as_themselves(who))
    user = appointment.patient if role == "patient" else appointment.psychologist
    if user is not None and token.identity != rules.user_identity(user):
        return Finding("token_identity", "warning",
                       f"{shown} has the {role}'s id but not their identity "
                       f"{printable(rules.user_identity(user))} (email changed?)")
    return Finding("token_identity", "ok", f"{shown} is the {role}")


def room(token: InspectedToken, appointment: Appointment, reload: str,
         who: str = "them") -> Finding:
    """The grant's room against the appointment's: another session's room means another
    session's page (its link), a token for no room a page to reload."""
    expected = appointment.video_room_id
    if not token.has_video_grant:
        return Finding("token_room", "problem", "the token has no video grant: it is not for "
                       "Twilio Video", reload)
    if token.room_name is None:
        return Finding("token_room", "warning", "the video grant names no room: any room")
    shown = printable(token.room_name)
    if token.room_name == expected:
        return Finding("token_room", "ok", f"the grant is for the appointment's room {shown}")
    if expected is None:
        return Finding("token_room", "problem",
                       f"the grant is for {shown} but the appointment has no room",
                       act.tell(who, "reload the session page once its room exists (see room)"))
    other = _appointment_of(token.room_name)
    whose = f" (appointment {other}'s)" if other is not None and other != appointment.id else ""
    return Finding("token_room", "problem",
                   f"the grant is for room {shown}{whose}, not the appointment's {expected}",
                   act.tell(who, f"this page is another session's: open the session link of "
                            f"appointment {appointment.id}"))


def _appointment_of(room_name: str) -> int | None:
    try:
        return parse_room_ref(room_name).appointment_id
    except UsageError:
        return None


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def validity(token: InspectedToken, now: datetime, reload: str) -> Finding:
    """Not expired, not yet valid; a start in the future names this clock's skew."""
    clock = f"this machine's clock says {_utc(now)}"
    if token.expires_at <= now:
        ago = humanize_duration((now - token.expires_at).total_seconds())
        return Finding("token_validity", "problem",
                       f"expired {ago} ago (at {_utc(token.expires_at)}; {clock})", reload)
    if token.not_before is not None and token.not_before > now:
        ahead = humanize_duration((token.not_before - now).total_seconds())
        return Finding("token_validity", "problem",
                       f"not valid yet: it starts in {ahead} ({_utc(token.not_before)}); "
                       f"{clock}, so this clock is {ahead} behind the clock that minted it "
                       "(or that clock is ahead)",
                       "compare this machine's clock (`date -u`) with the server's: a server "
                       "clock ahead mints tokens Twilio refuses until then")
    left = humanize_duration((token.expires_at - now).total_seconds())
    issued = token.issued_at if token.not_before is None else None
    if issued is not None and (issued - now).total_seconds() > SKEW_TOLERANCE_SECONDS:
        ahead = humanize_duration((issued - now).total_seconds())
        return Finding("token_validity", "warning",
                       f"valid for {left}, but issued {ahead} in the future ({clock}): "
                       "the two clocks differ")
    return Finding("token_validity", "ok",
                   f"valid for another {left} (until {_utc(token.expires_at)})")


def lifetime(token: InspectedToken, reload: str) -> Finding:
    ttl = token.ttl
    low, high = rules.MIN_LIFETIME_MINUTES, rules.MAX_LIFETIME_MINUTES
    if ttl is None:
        return Finding("token_lifetime", "warning",
                       "cannot tell the lifetime: the token has no iat or nbf")
    shown = humanize_duration(ttl)
    if low * 60 - SKEW_TOLERANCE_SECONDS <= ttl <= high * 60 + SKEW_TOLERANCE_SECONDS:
        return Finding("token_lifetime", "ok", f"lifetime {shown}, within {low}..{high} min")
    return Finding("token_lifetime", "problem",
                   f"lifetime {shown} is outside the guide's {low}..{high} min: "
                   "not minted by the platform's rules", reload)
