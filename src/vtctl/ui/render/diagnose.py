"""``vtctl diagnose`` findings: a table on a terminal, one line per finding when piped.

No I/O.  Actions are commands to paste, so each gets a line of its own that
(on any terminal as wide as the command) is never wrapped; details wrap
between words only, so identities stay whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from vtctl.domain.findings import Finding
from vtctl.ui.cells import piped_field
from vtctl.ui.sheet import Drawn, Sheet, sheet

STATUS_STYLES = {"ok": "green", "warning": "yellow", "problem": "bold red"}
ACTION_MARK = "→ "
STATUS_WIDTH = len("problem")  # the longest status, as long as "warning"
ACTION_INDENT = 2
COLUMN_GAP = 2


class FindingsView:
    """One aligned row per finding (check, status, detail), its action on a line below.

    The action line starts under the check column and has the rest of the
    width to itself, so a command fits on one line to copy; details wrap at
    spaces only, so identities stay whole.  When the detail column is narrower
    than a detail's longest word (a room SID at 50 columns), each detail goes on
    its own lines below its check, indented.
    """

    def __init__(self, findings: Sequence[Finding], title: str) -> None:
        self.findings = findings
        self.title = title

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        check_width = max((len(f.check) for f in self.findings), default=0)
        detail_width = options.max_width - check_width - STATUS_WIDTH - 2 * COLUMN_GAP
        words = max((Measurement.get(console, options, Text(f.detail)).minimum
                     for f in self.findings), default=0)
        beside = words <= detail_width
        yield Text(self.title, style="bold")
        for finding in self.findings:
            row = Table.grid(padding=(0, COLUMN_GAP), expand=beside)
            row.add_column(width=check_width, no_wrap=True, style="bold cyan")
            row.add_column(width=STATUS_WIDTH, no_wrap=True)
            status = Text(finding.status, style=STATUS_STYLES[finding.status])
            if beside:
                row.add_column(ratio=1, overflow="fold")
                row.add_row(finding.check, status, finding.detail)
                yield row
            else:
                row.add_row(finding.check, status)
                yield row
                yield Padding(Text(finding.detail, overflow="fold"), (0, 0, 0, ACTION_INDENT))
            if finding.action:
                line = Text(ACTION_MARK, style="dim")
                line.append(finding.action, style="bold")
                yield Padding(line, (0, 0, 0, ACTION_INDENT))


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
