"""``vtctl smoke``'s results: one row per appointment, what passed and what failed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rich.text import Text

from vtctl.ui.sheet import Column, Rows, Sheet, sheet


class CheckResult(Protocol):
    """One check of one appointment (``checks.smoke.CheckResult``)."""

    @property
    def appointment_id(self) -> int: ...
    @property
    def check(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def detail(self) -> str: ...
    @property
    def ran(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class _Appointment:
    appointment_id: int
    results: Sequence[CheckResult]

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.ok]

    def verdict(self) -> Text:
        if not self.failed:
            return Text("ok", style="green")
        # a check a fault kept from running is not a failure of the API
        if any(r.ran for r in self.failed):
            return Text("FAIL", style="bold red")
        return Text("not run", style="yellow")

    def details(self) -> list[str]:
        if self.failed:
            return [f"{r.check}: {r.detail}" for r in self.failed]
        room = next((r.detail for r in self.results if r.check == "same_room"), "")
        return [f"room {room}"]


#: a pipe's line: appointment, ok|FAIL|not run, passed/checks, what failed or could not
#: run (``; ``-separated)
RESULT_COLUMNS: list[Column[_Appointment]] = [
    Column("appointment", lambda a: str(a.appointment_id), short="appt", justify="right"),
    Column("result", _Appointment.verdict),
    Column("checks", lambda a: f"{len(a.results) - len(a.failed)}/{len(a.results)}",
           justify="right"),
    Column("detail", lambda a: "\n".join(a.details()), piped=lambda a: "; ".join(a.details())),
]


def results_sheet(checked: Iterable[CheckResult]) -> Sheet:
    """One row per appointment: passed checks, and what failed or could not run."""
    by_id: dict[int, list[CheckResult]] = {}
    for result in checked:
        by_id.setdefault(result.appointment_id, []).append(result)
    rows = [_Appointment(appointment_id, results) for appointment_id, results in by_id.items()]
    return sheet(Rows(RESULT_COLUMNS, rows, title="vtctl smoke", empty="no checks ran"))
