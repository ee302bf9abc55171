"""``vtctl diagnose`` findings: a table on a terminal, one line per finding when piped.

No I/O.  Actions are commands to paste, so they are never wrapped; details
wrap between words only, so identities stay whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from vtctl.domain.models import Finding

STATUS_STYLES = {"ok": "green", "warning": "yellow", "problem": "bold red"}
NO_ACTION = "-"


def findings_table(findings: Sequence[Finding], title: str | None = None) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("check", style="bold cyan", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("detail", overflow="fold", ratio=1)
    widest = max((len(f.action) for f in findings if f.action), default=0)
    table.add_column("action", no_wrap=True, overflow="ignore", min_width=widest)
    for finding in findings:
        table.add_row(
            finding.check,
            Text(finding.status, style=STATUS_STYLES[finding.status]),
            finding.detail,
            Text(finding.action, style="bold") if finding.action else Text(NO_ACTION, style="dim"),
        )
    return table


def findings_lines(findings: Sequence[Finding]) -> list[str]:
    """``check<TAB>status<TAB>detail<TAB>action`` per finding (gh's plain output)."""
    return [
        "\t".join((f.check, f.status, f.detail, f.action or NO_ACTION)) for f in findings
    ]


def summary(findings: Sequence[Finding]) -> str:
    """``2 problems, 1 warning, 9 ok``."""
    counts = {status: sum(1 for f in findings if f.status == status) for status in STATUS_STYLES}
    parts = [f"{counts['problem']} problem{'s' if counts['problem'] != 1 else ''}",
             f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}",
             f"{counts['ok']} ok"]
    return ", ".join(parts)
