"""``vtctl sessions --alert RULES``: which rows a monitoring check reports.

RULES is a comma-separated list; a row matches when any rule does.  A rule is a
state, spelled with ``-`` for its space (``no-room``, ``in-session``), optionally
followed by ``>DURATION``: the row has been in that state for longer than that
(measured from its ``since``; a row whose ``since`` is unknown matches).  E.g.
``waiting>5m,missed,no-room,stranger``, ``overrun>10m``, ``unknown``.
Pure: a bad rule is a usage error (exit 2) naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from vtctl.domain.errors import UsageError
from vtctl.domain.sessions import STATES, UNKNOWN, UPCOMING, SessionRow
from vtctl.domain.timespec import parse_duration

#: states whose rows carry no ``since``: a duration means nothing for them
_TIMELESS = (UPCOMING, UNKNOWN)
RULE_HELP = (
    "STATE or STATE>DURATION, comma-separated, e.g. waiting>5m,missed,no-room,stranger; "
    "states: " + ", ".join(state.replace(" ", "-") for state in STATES)
)


@dataclass(frozen=True, slots=True)
class AlertRule:
    state: str
    #: None: any row in the state matches
    longer_than: timedelta | None = None

    @property
    def text(self) -> str:
        name = self.state.replace(" ", "-")
        if self.longer_than is None:
            return name
        return f"{name}>{_compact(self.longer_than)}"

    def matches(self, row: SessionRow, now: datetime) -> bool:
        if row.state != self.state:
            return False
        if self.longer_than is None or row.since is None:
            return True
        return now - row.since > self.longer_than


def parse_alert_rules(text: str) -> tuple[AlertRule, ...]:
    """``"waiting>5m,missed"`` -> rules; anything else is a usage error."""
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in parts):
        raise UsageError(f"--alert {text!r} has an empty rule", hint=f"give {RULE_HELP}")
    rules = tuple(_rule(part) for part in parts)
    return tuple(dict.fromkeys(rules))


def _rule(part: str) -> AlertRule:
    name, op, duration = part.partition(">")
    state = name.strip().lower().replace("-", " ").replace("_", " ")
    for bad in ("<", "="):
        if bad in part:
            raise UsageError(f"--alert rule {part!r}: only > is supported (STATE>DURATION)",
                             hint=f"give {RULE_HELP}")
    if state not in STATES:
        raise UsageError(f"--alert rule {part!r}: unknown state {name.strip()!r}",
                         hint=f"give {RULE_HELP}")
    if not op:
        return AlertRule(state)
    if state in _TIMELESS:
        raise UsageError(f"--alert rule {part!r}: {name.strip()} rows have no start time "
                         "to measure a duration from", hint=f"use {name.strip()} alone")
    try:
        longer_than = parse_duration(duration)
    except UsageError as exc:
        raise UsageError(f"--alert rule {part!r}: {exc.message}", hint=exc.hint) from None
    return AlertRule(state, longer_than)


def matching(rows: Iterable[SessionRow], rules: Iterable[AlertRule], now: datetime
             ) -> list[SessionRow]:
    """The rows any rule matches, in their order."""
    chosen = tuple(rules)
    return [row for row in rows if any(rule.matches(row, now) for rule in chosen)]


def _compact(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    out = ""
    for unit, size in (("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out += f"{count}{unit}"
    return out or "0s"
