"""One line of ``vtctl diagnose`` (and of ``history``'s verdicts): a check and how it went."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from vtctl.domain.models import JsonFields

if TYPE_CHECKING:
    from vtctl.domain.errors import VtctlError

Severity = Literal["ok", "warning", "problem"]


@dataclass(frozen=True, slots=True)
class Finding(JsonFields):
    """One line of ``vtctl diagnose``: what was checked, how it went, what to do next."""

    JSON_FIELDS = ("check", "status", "detail", "action")  # CONTRACT.md; not the fault

    check: str
    status: Severity
    detail: str
    #: a command to paste or words to tell the person (``tell ...``), or None
    action: str | None = None
    #: the check could not run because of this fault (no credentials, Twilio unreachable,
    #: a reply that is not Twilio's): its exit code is the command's unless a problem was
    #: found.  Not in the JSON (the status is ``warning``, the detail ``could not run: ...``)
    fault: VtctlError | None = field(default=None, compare=False, repr=False)

    @property
    def ran(self) -> bool:
        return self.fault is None
