"""``vtctl smoke``'s results: one row per appointment, what passed and what failed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.table import Table


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


def results_table(checked: Iterable[CheckResult]) -> Table:
    """One row per appointment: passed checks, and what failed or could not run."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="vtctl smoke", title_justify="left")
    table.add_column("appointment", justify="right", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("checks", justify="right", no_wrap=True)
    table.add_column("detail", overflow="fold")
    by_id: dict[int, list[CheckResult]] = {}
    for result in checked:
        by_id.setdefault(result.appointment_id, []).append(result)
    for appointment_id, results in by_id.items():
        failed = [r for r in results if not r.ok]
        passed = len(results) - len(failed)
        if failed:
            detail = "\n".join(f"{r.check}: {r.detail}" for r in failed)
            # a check a fault kept from running is not a failure of the API
            verdict = (Text("FAIL", style="bold red") if any(r.ran for r in failed)
                       else Text("not run", style="yellow"))
        else:
            room = next((r.detail for r in results if r.check == "same_room"), "")
            detail, verdict = f"room {room}", Text("ok", style="green")
        table.add_row(str(appointment_id), verdict, f"{passed}/{len(results)}", detail)
    return table
