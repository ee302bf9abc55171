"""What stands out in an appointment's sessions, each a line a person can act on.

Pure functions over what ``checks.history_stays`` made of the sources:

============  ==========================================================================
check         stands out when
============  ==========================================================================
audit         the audit trail failed verification (a problem: its token events are not
              fact; the action runs ``vtctl audit verify`` on the same store), or could
              not be checked here (a warning: its key is not kept here)
nobody        no one joined any room of the appointment (once its time has come)
no-show       one of the two never joined while the other did
alone         the patient or the psychologist was in the room without the other for
              ``ALONE_NOTABLE`` or more after the scheduled start
reconnects    someone connected more than once
error         someone left with a Twilio error (media, signalling...: Video Insights)
token         a token expired while its holder was still in the room
length        the two were together ``LENGTH_NOTABLE`` shorter or longer than scheduled
stranger      someone who is neither the patient nor the psychologist joined
crowd         more participant records than vtctl reads in full
============  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from vtctl.checks.history_stays import (
    Interval,
    Stay,
    Token,
    clip,
    intersect,
    presence,
    subtract,
    total,
)
from vtctl.domain.commands import VERIFY_TRAIL
from vtctl.domain.errors import AuditTrailError
from vtctl.domain.findings import Finding
from vtctl.domain.history import STRANGER, SessionSources
from vtctl.util.text import printable
from vtctl.util.timefmt import humanize_duration

#: time alone worth a line
ALONE_NOTABLE = timedelta(minutes=2)
#: a session this much shorter or longer than scheduled is worth a line
LENGTH_NOTABLE = timedelta(minutes=5)
#: stretches listed in one line
MAX_LISTED = 3
ROLES = ("patient", "psychologist")


def findings(sources: SessionSources, found: list[Stay], found_tokens: list[Token],
             now: datetime, action_flags: Sequence[str] = ()) -> list[Finding]:
    """Every finding, in reading order (empty: nothing stands out); ``action_flags``: the
    run's backend flags, for the commands the actions name."""
    result = audit_trail(sources, action_flags)  # first: it qualifies the token events
    if not found:
        return result + nobody(sources, found_tokens, now)
    result += no_show(found, found_tokens)
    result += alone(sources, found)
    result += reconnects(found)
    result += errors(found)
    result += expired_in_room(found, found_tokens)
    result += length(sources, found)
    result += strangers(found, found_tokens)
    result += crowd(sources)
    return result


def audit_trail(sources: SessionSources, action_flags: Sequence[str] = ()) -> list[Finding]:
    """The token events are the audit trail's records: a trail that failed verification
    is a problem (they are not fact), one that could not be checked here a warning."""
    doubt = sources.trail_doubt
    if doubt is None:
        return []
    if isinstance(doubt, AuditTrailError):
        verify = VERIFY_TRAIL.command(action_flags)  # of the flags, --profile and --store
        return [Finding(
            "audit", "problem",
            "the audit trail failed verification, so the token events shown are not fact: "
            f"{printable(doubt.message)}",
            printable(verify),
        )]
    return [Finding(
        "audit", "warning",
        f"the token events shown could not be checked: {printable(doubt.message)}",
        printable(doubt.hint) if doubt.hint else None,
    )]


def clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def span(intervals: list[Interval]) -> str:
    """``09:00-09:07, 09:31-09:33`` (and how many more)."""
    shown = ", ".join(f"{clock(s)}-{clock(e)}" for s, e in intervals[:MAX_LISTED])
    extra = len(intervals) - MAX_LISTED
    return shown + (f" and {extra} more" if extra > 0 else "")


def _minutes(delta: timedelta) -> str:
    return humanize_duration(delta.total_seconds())


def _token_note(role: str, found_tokens: list[Token]) -> str:
    mine = [t for t in found_tokens if t.role == role]
    if not mine:
        return f"vtctl minted no token for the {role}"
    last = mine[-1]
    return (f"vtctl minted the {role} {len(mine)} token{'s' if len(mine) > 1 else ''}, "
            f"the last at {clock(last.minted_at)} (jti {last.jti})")


def nobody(sources: SessionSources, found_tokens: list[Token], now: datetime) -> list[Finding]:
    start = sources.appointment.starts_at
    if start is not None and now < start and not sources.rooms:
        return []  # its time has not come
    if not sources.rooms:
        where = (f"Twilio has no room named {sources.room_name} (it creates one when the "
                 "first person connects)")
    else:
        count = len(sources.rooms)
        where = f"the {count} room{'s' if count > 1 else ''} named {sources.room_name} had nobody"
    minted = (f"; vtctl minted {len(found_tokens)} token{'s' if len(found_tokens) > 1 else ''} "
              "for it" if found_tokens else "; vtctl minted no token for it")
    return [Finding("nobody", "warning", f"nobody joined: {where}{minted}")]


def no_show(found: list[Stay], found_tokens: list[Token]) -> list[Finding]:
    result = []
    for role, other in (ROLES, ROLES[::-1]):
        there = presence(found, other)
        if presence(found, role) or not there:
            continue
        result.append(Finding(
            "no-show", "warning",
            f"the {role} never joined; the {other} waited {_minutes(total(there))} "
            f"({span(there)}); {_token_note(role, found_tokens)}",
        ))
    return result


def alone(sources: SessionSources, found: list[Stay]) -> list[Finding]:
    result = []
    for role, other in (ROLES, ROLES[::-1]):
        others = presence(found, other)
        if not others:
            continue  # a no-show: said there
        waited = clip(subtract(presence(found, role), others), sources.appointment.starts_at)
        if total(waited) >= ALONE_NOTABLE:
            result.append(Finding(
                "alone", "warning",
                f"the {role} was in the room without the {other} for {_minutes(total(waited))} "
                f"({span(waited)}); the {other} first joined at {clock(others[0][0])}",
            ))
    return result


def reconnects(found: list[Stay]) -> list[Finding]:
    result = []
    for identity in dict.fromkeys(s.identity for s in found):
        mine = [s for s in found if s.identity == identity]  # by start
        if len(mine) < 2:
            continue
        times = len(mine) - 1
        gaps = ", ".join(_gap(_last_to_close(mine[:k]), mine[k])
                         for k in range(1, min(len(mine), MAX_LISTED + 1)))
        result.append(Finding(
            "reconnects", "warning",
            f"{_who(mine[0])} reconnected {times} time{'s' if times > 1 else ''} ({gaps})",
        ))
    return result


def _last_to_close(earlier: list[Stay]) -> Stay:
    """Of the earlier connections, the one that stayed longest (an open one: still there),
    so a later one is a comeback only if no connection of that identity was open."""
    return max(earlier, key=lambda s: (s.ongoing, s.end))


def _gap(before: Stay, after: Stay) -> str:
    """Between ``after`` and ``before``, the earlier connection of one identity that closed
    last: a gap when it ended before ``after`` began (so none was open in between); else
    ``after`` came while it was open (a second tab or device), and which is still open."""
    if not before.ongoing and before.end <= after.start:
        return f"left {clock(before.end)}, back {clock(after.start)}"
    again = f"connected again {clock(after.start)} while still connected since " \
        f"{clock(before.start)}"
    if before.ongoing and after.ongoing:
        return f"{again}; both connections are open"
    if before.ongoing:
        return f"{again}; the second closed {clock(after.end)}, the first is still open"
    return f"{again}; the first closed {clock(before.end)}"


def errors(found: list[Stay]) -> list[Finding]:
    result = []
    for stay in found:
        summary = stay.attendance.insights
        if summary is None or summary.error_text is None:
            continue
        kind = {"media": "a media error", "signalling": "a signalling error"}.get(
            summary.error_kind or "", "a Twilio error")
        reason = f" (end reason {summary.end_reason})" if summary.end_reason else ""
        result.append(Finding(
            "error", "problem",
            f"{_who(stay)} left at {clock(stay.end)} with {kind}: {summary.error_text}{reason}",
        ))
    return result


def expired_in_room(found: list[Stay], found_tokens: list[Token]) -> list[Finding]:
    """The token someone connected with (the last minted before they joined) ran out
    while they were still in the room."""
    result = []
    for stay in found:
        held = [t for t in found_tokens
                if t.identity == stay.identity and t.minted_at <= stay.start < t.expires_at]
        if not held:
            continue
        token = held[-1]
        if stay.start < token.expires_at < stay.end:
            until = "is still connected" if stay.ongoing else f"left at {clock(stay.end)}"
            result.append(Finding(
                "token", "problem",
                f"{_who(stay)}'s token (jti {token.jti}) expired at "
                f"{clock(token.expires_at)} while they were in the room (joined "
                f"{clock(stay.start)}, {until}): a reconnect after it fails with 20104 "
                "(Access Token expired)",
            ))
    return result


def length(sources: SessionSources, found: list[Stay]) -> list[Finding]:
    together = intersect(presence(found, "patient"), presence(found, "psychologist"))
    if not together:
        return []
    start, end = together[0][0], together[-1][1]
    ongoing = any(s.ongoing and s.end == end for s in found)
    lasted = end - start
    scheduled = timedelta(minutes=sources.appointment.duration_minutes)
    when = f"together {clock(start)}-{clock(end)}" + (", still going" if ongoing else "")
    if lasted <= scheduled - LENGTH_NOTABLE and not ongoing:
        return [Finding("length", "warning",
                        f"the session lasted {_minutes(lasted)}, {_minutes(scheduled - lasted)} "
                        f"shorter than the {_minutes(scheduled)} scheduled ({when})")]
    if lasted >= scheduled + LENGTH_NOTABLE:
        return [Finding("length", "warning",
                        f"the session lasted {_minutes(lasted)}, {_minutes(lasted - scheduled)} "
                        f"longer than the {_minutes(scheduled)} scheduled ({when})")]
    return []


def strangers(found: list[Stay], found_tokens: list[Token]) -> list[Finding]:
    result = []
    for identity in dict.fromkeys(s.identity for s in found if s.role == STRANGER):
        first = next(s for s in found if s.identity == identity)
        minted = [t for t in found_tokens if t.identity == identity]
        source = (f"vtctl minted it a token at {clock(minted[-1].minted_at)} (jti "
                  f"{minted[-1].jti}, `vtctl {minted[-1].command}` as {minted[-1].os_user})"
                  if minted else "vtctl minted no token for it, so it came from elsewhere")
        result.append(Finding(
            "stranger", "problem",
            f"{identity} joined at {clock(first.start)} and is neither the patient nor the "
            f"psychologist; {source}",
        ))
    return result


def crowd(sources: SessionSources) -> list[Finding]:
    counted = sum(room.others for room in sources.rooms)
    if not counted:
        return []
    return [Finding("crowd", "warning",
                    f"{counted} more participant records were counted but not read in full: "
                    "far more people than a session has connected to the room")]


def _who(stay: Stay) -> str:
    return f"the {stay.role} ({stay.identity})" if stay.role != STRANGER else stay.identity
