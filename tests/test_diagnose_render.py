"""``vtctl diagnose``'s table: actions on a line of their own, never wrapped;
identities whole; one tab-separated line per finding when piped."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from vtctl.domain.findings import Finding
from vtctl.ui.render.diagnose import findings_lines, findings_view, summary

KICK = "vtctl room kick 47 9-outsider@example.com --local"
TELL = "tell Jane Doe (patient): reload the session page; it fetches a new token"
FINDINGS = [
    Finding("appointment", "ok", "appointment 47 exists (60 min, apt-47-1763138954-46eb915c)"),
    Finding("schedule", "warning", "starts in 2 h 10 min (2025-11-16 09:00-10:00 UTC)"),
    Finding("stranger", "problem", "9-outsider@example.com is connected but is neither the "
            "patient nor the psychologist", KICK),
    Finding("token_validity", "problem", "expired 25 min ago (at 2025-11-16 09:35:00 UTC)",
            TELL),
]


def rendered(width: int, color: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color,
                      color_system="truecolor" if color else None)
    # as ``ui.sheet.show`` prints it: vtctl lays out, nothing crops
    console.print(findings_view(FINDINGS, f"diagnose 47: {summary(FINDINGS)}"), crop=False)
    return out.getvalue()


@pytest.mark.parametrize("width", [40, 50, 60, 100, 160])
def test_actions_and_identities_are_never_split(width: int) -> None:
    """A command to copy is one line at every width, even narrower than it (50 columns
    wrapped it): the terminal wraps that line, a copy takes it whole.  No arrow before
    it: a triple-click copies the line, and the shell would run the arrow."""
    lines = [line.rstrip() for line in rendered(width).splitlines()]
    assert f"  {KICK}" in lines, "\n".join(lines)
    assert sum(KICK[:15] in line for line in lines) == 1
    # words to pass on: whole on a wide terminal, wrapped between words on a narrow one
    assert (f"  → {TELL}" in lines) is (width > 80)
    assert all(len(line) <= width for line in lines if line != f"  {KICK}")
    assert TELL in " ".join(" ".join(lines).split())
    assert any("9-outsider@example.com" in line for line in lines)
    assert lines[0] == "diagnose 47: 2 problems, 1 warning, 1 ok"


def test_status_is_coloured_on_a_terminal() -> None:
    text = rendered(100, color=True)
    assert "\x1b[1;31mproblem" in text  # bold red
    assert "\x1b[33mwarning" in text and "\x1b[32mok" in text


def test_plain_lines_one_per_finding() -> None:
    assert findings_lines(FINDINGS) == [
        "appointment\tok\tappointment 47 exists (60 min, apt-47-1763138954-46eb915c)\t-",
        "schedule\twarning\tstarts in 2 h 10 min (2025-11-16 09:00-10:00 UTC)\t-",
        "stranger\tproblem\t9-outsider@example.com is connected but is neither the patient nor "
        f"the psychologist\t{KICK}",
        f"token_validity\tproblem\texpired 25 min ago (at 2025-11-16 09:35:00 UTC)\t{TELL}",
    ]


def test_summary_counts() -> None:
    assert summary([]) == "0 problems, 0 warnings, 0 ok"
    assert summary(FINDINGS[:1]) == "0 problems, 0 warnings, 1 ok"


class OneAppointment:
    """A backend holding appointment 47 without a room (the view's input, no network)."""

    name = "local"

    def resolve_room(self, ref: object) -> int:
        return 47

    def appointment(self, appointment_id: int) -> object:
        from vtctl.domain.models import Appointment

        return Appointment(47, 2, 5, 60)

    def close(self) -> None:
        pass


def test_a_terminal_gets_the_view_and_a_pipe_gets_lines() -> None:
    from vtctl.cli.diagnose import DiagnoseOptions, run_diagnose
    from vtctl.domain.errors import DiagnoseProblemError
    from vtctl.ui.iostreams import IOStreams
    from vtctl.ui.output import OutputFormat

    for terminal in (True, False):
        out = io.StringIO()
        opts = DiagnoseOptions(
            io=IOStreams(out=out, err=io.StringIO(), force_terminal=terminal, width=100),
            open_backend=OneAppointment,  # type: ignore[arg-type]
            room="47", fmt=OutputFormat(), action_flags=("--local",),
        )
        with pytest.raises(DiagnoseProblemError) as caught:
            run_diagnose(opts)
        assert caught.value.exit_code == 8
        text = out.getvalue()
        if terminal:
            assert "\x1b[" in text
            plain = re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines()
            assert plain[0] == "diagnose 47: 1 problem, 4 warnings, 2 ok"
            assert "  vtctl room create 47 --local" in [line.rstrip() for line in plain]
        else:
            assert ("room\tproblem\tthe appointment has no video room: nobody can join\t"
                    "vtctl room create 47 --local") in text.splitlines()
