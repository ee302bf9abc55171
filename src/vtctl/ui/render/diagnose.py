"""``vtctl diagnose`` findings: a table on a terminal, one line per finding when piped.

No I/O.  Actions are commands to paste, so each gets a line of its own that
(on any terminal as wide as the command) is never wrapped; details wrap
between words only, so identities stay whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from vtctl.domain.findings import Finding

STATUS_STYLES = {"ok": "green", "warning": "yellow", "problem": "bold red"}
NO_ACTION = "-"
ACTION_MARK = "→ "
STATUS_WIDTH = len("problem")  # the longest status, as long as "warning"
ACTION_INDENT = 2


def findings_view(findings: Sequence[Finding], title: str) -> RenderableType:
    """One aligned row per finding (check, status, detail), its action on a line below.

    The action line starts under the check column and has the rest of the
    width to itself, so a command fits on one line to copy; details wrap at
    spaces only, so identities stay whole.
    """
    check_width = max((len(f.check) for f in findings), default=0)
    parts: list[RenderableType] = [Text(title, style="bold")]
    for finding in findings:
        row = Table.grid(padding=(0, 2), expand=True)
        row.add_column(width=check_width, no_wrap=True, style="bold cyan")
        row.add_column(width=STATUS_WIDTH, no_wrap=True)
        row.add_column(ratio=1, overflow="fold")
        row.add_row(finding.check, Text(finding.status, style=STATUS_STYLES[finding.status]),
                    finding.detail)
        parts.append(row)
        if finding.action:
            line = Text(ACTION_MARK, style="dim")
            line.append(finding.action, style="bold")
            parts.append(Padding(line, (0, 0, 0, ACTION_INDENT)))
    return Group(*parts)


def findings_lines(findings: Sequence[Finding]) -> list[str]:
    """``check<TAB>status<TAB>detail<TAB>action`` per finding (gh's plain output)."""
    return [
        "\t".join((f.check, f.status, f.detail, f.action or NO_ACTION)) for f in findings
    ]


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
