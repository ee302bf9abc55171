"""``vtctl diagnose`` findings: a table on a terminal, one line per finding when piped.

No I/O.  An action that is a command to paste gets a line of its own that vtctl
never wraps, at any width (a terminal narrower than it wraps it as one line, which
a copy takes whole); details wrap between words only, so identities and the
commands they name stay whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from vtctl.domain.findings import Finding
from vtctl.ui.cells import piped_field
from vtctl.ui.prose import Prose, action_line
from vtctl.ui.sheet import Drawn, Sheet, sheet

STATUS_STYLES = {"ok": "green", "warning": "yellow", "problem": "bold red"}
STATUS_WIDTH = len("problem")  # the longest status, as long as "warning"
DETAIL_INDENT = 2
COLUMN_GAP = 2


class FindingsView:
    """One aligned row per finding (check, status, detail), its action on a line below.

    Details wrap between words only (``ui.prose``), so identities, and the commands to
    paste some of them name, stay whole.  When the detail column is narrower than a
    detail's longest unit (a room SID at 50 columns), each detail goes on its own lines
    below its check, indented.  An action that is a command to paste is a line of its
    own, never wrapped by vtctl whatever the width (as the token's line): a copy of it
    runs what it says; words (``tell ...``) wrap, marked with an arrow.
    """

    def __init__(self, findings: Sequence[Finding], title: str) -> None:
        self.findings = findings
        self.title = title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        check_width = max((len(f.check) for f in self.findings), default=0)
        detail_width = options.max_width - check_width - STATUS_WIDTH - 2 * COLUMN_GAP
        words = max((Prose(f.detail).need() for f in self.findings), default=0)
        beside = words <= detail_width
        yield Text(self.title, style="bold")
        for finding in self.findings:
            row = Table.grid(padding=(0, COLUMN_GAP), expand=beside)
            row.add_column(width=check_width, no_wrap=True, style="bold cyan")
            row.add_column(width=STATUS_WIDTH, no_wrap=True)
            status = Text(finding.status, style=STATUS_STYLES[finding.status])
            if beside:
                row.add_column(ratio=1)
                row.add_row(finding.check, status, Prose(finding.detail))
                yield row
            else:
                row.add_row(finding.check, status)
                yield row
                yield Prose(finding.detail, indent=DETAIL_INDENT)
            if finding.action:
                yield action_line(finding.action)


def findings_view(findings: Sequence[Finding], title: str) -> RenderableType:
    return FindingsView(findings, title)


def findings_lines(findings: Sequence[Finding]) -> list[str]:
    """``check<TAB>status<TAB>detail<TAB>action`` per finding (gh's plain output)."""
    return ["\t".join(piped_field(cell) for cell in (f.check, f.status, f.detail, f.action))
            for f in findings]


def findings_sheet(findings: Sequence[Finding], title: str) -> Sheet:
    """The findings view on a terminal, ``findings_lines`` in a pipe."""
    return sheet(Drawn(findings_view(findings, f"{title}: {summary(findings)}"),
                       findings_lines(findings)))


def summary(findings: Sequence[Finding]) -> str:
    """``2 problems, 1 warning, 9 ok``, then ``; 3 checks could not run`` when a fault kept
    some from running (they are not counted as warnings)."""
    ran = [f for f in findings if f.ran]
    counts = {status: sum(1 for f in ran if f.status == status) for status in STATUS_STYLES}
    parts = [f"{counts['problem']} problem{'s' if counts['problem'] != 1 else ''}",
             f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}",
             f"{counts['ok']} ok"]
    unrun = len(findings) - len(ran)
    tail = f"; {unrun} check{'s' if unrun != 1 else ''} could not run" if unrun else ""
    return ", ".join(parts) + tail
