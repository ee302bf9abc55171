"""What ``vtctl diagnose`` tells the engineer to do about a problem.

An action reaches the person who has the problem.  Some problems are fixed
here, with a command to run (``vtctl room kick ...``); most are fixed in the
patient's browser, so the action is words for the engineer to pass on:
``tell Jane Doe (patient): reload the session page; it fetches a new token``.
A token minted on the engineer's machine (``vtctl refresh --as``) never
reaches that browser, so no action suggests one.  Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime

from vtctl.domain.models import Appointment, User
from vtctl.util.text import printable

#: what every token problem comes down to: the page asks the platform for a new token
RELOAD = "reload the session page; it fetches a new token"
#: the start of every action made of words (the other kind starts with ``vtctl``)
TELL = "tell "


def person(user: User | None, role: str | None) -> str:
    """``Jane Doe (patient)``; ``the patient`` without a name; ``them`` without a role."""
    if role is None:
        return "them"
    if user is None:
        return f"the {role}"
    return f"{printable(user.name)} ({role})"


def tell(who: str, words: str) -> str:
    return f"{TELL}{who}: {words}"


def is_words(action: str) -> bool:
    """Words to pass on (``tell ...``), not a command to run."""
    return action.startswith(TELL)


def reload_page(who: str) -> str:
    return tell(who, RELOAD)


def log_in_as_themselves(who: str) -> str:
    return tell(who, "log out of the platform, log in as yourself, then open the session "
                "link again")


def allow_devices(who: str) -> str:
    return tell(who, "allow this site the camera and microphone (the icon at the left of the "
                "address bar), then reload the session page")


def check_microphone(who: str) -> str:
    return tell(who, "check the microphone is allowed for this site and selected in the "
                "browser (not muted at the headset), then reload the session page")


def rejoin(who: str) -> str:
    return tell(who, "reload the session page to join again: a new room of the same name "
                "opens")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "a time not set"


def next_appointment(who: str, ended: str, upcoming: Appointment | None) -> str:
    """The session of this link is over: where to go instead."""
    if upcoming is None:
        return tell(who, f"this link's session ended {ended} ago and no later appointment "
                    "is booked: book a new one")
    return tell(who, f"this link's session ended {ended} ago; the next is appointment "
                f"{upcoming.id} at {_when(upcoming.starts_at)}: join it from its own link")


def next_session(who: str, ended: str) -> str:
    """The session of this link is over, and which is next cannot be read here (the
    remote backend lists no appointments)."""
    return tell(who, f"this link's session ended {ended} ago: join your next session from "
                "its own link (or book one)")
