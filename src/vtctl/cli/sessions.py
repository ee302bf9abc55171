"""``vtctl sessions``: every appointment of a time window with its live state (the shift view).

Local backend only (the store plus Twilio's Rooms and Participants API; the
telehealth API has no list).  The logic is split so each part is tested alone:
``Backend.session_evidence`` reads (the store query and ``twilio_video.live``),
``checks.sessions`` computes the states, ``checks.alerts`` matches ``--alert``
rules, ``ui.render.sessions`` draws, ``ui.live`` keeps the view live.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.backends.base import Backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.interval import check_interval, interval_flag
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.domain.errors import (
    ChecksNotRunError,
    MissingCredentialsError,
    SessionsAlertError,
    UsageError,
)
from vtctl.domain.sessions import FIELDS, SessionRow, SessionsReport
from vtctl.domain.timespec import TimeSpec, parse_time, resolve_window
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.live import real_sleep, watch_loop
from vtctl.ui.output import OutputFormat, emit, output_format
from vtctl.util.clock import utc_now

if TYPE_CHECKING:
    from rich.console import RenderableType

    from vtctl.checks.alerts import AlertRule
    from vtctl.ui.sheet import Sheet

DEFAULT_FROM = "-2h"
DEFAULT_TO = "+2h"
DEFAULT_INTERVAL = 5.0
MIN_INTERVAL = 1.0


@dataclass
class SessionsOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    fmt: OutputFormat
    start: TimeSpec = field(default_factory=lambda: parse_time(DEFAULT_FROM))
    end: TimeSpec = field(default_factory=lambda: parse_time(DEFAULT_TO))
    user: str | None = None
    watch: bool = False
    interval: float = DEFAULT_INTERVAL
    alert: tuple[AlertRule, ...] = ()
    #: backend flags the suggested commands carry (``--local``, ``--store PATH``...)
    action_flags: tuple[str, ...] = ()
    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = real_sleep
    #: stop after this many refreshes (tests); None: until Ctrl-C
    max_ticks: int | None = None


def run_sessions(opts: SessionsOptions) -> SessionsReport | None:
    """One look at the shift (exit 8 when an --alert rule matched), or a watch."""
    _check_flags(opts)
    resolve_window(opts.start, opts.end, opts.clock())  # an inverted window is exit 2 now
    backend = opts.open_backend()
    try:
        if opts.watch:
            _watch(opts, backend)
            return None
        report = read_report(opts, backend)
    finally:
        backend.close()
    show(opts, report)
    return report


def _check_flags(opts: SessionsOptions) -> None:
    if opts.watch and opts.fmt.json:
        from vtctl.domain.commands import Suggestion

        raise UsageError("--json and --watch cannot be used together", suggests=Suggestion(
            ("sessions", "--json"), "run `{command}` from cron or a loop instead"))
    if opts.watch and opts.alert:
        raise UsageError("--alert and --watch cannot be used together",
                         hint="--alert is a one-shot check for cron and monitoring systems")
    check_interval(opts.interval, MIN_INTERVAL)


def read_report(opts: SessionsOptions, backend: Backend) -> SessionsReport:
    """The shift now: the window's appointments, Twilio's view, the states."""
    from vtctl.checks.sessions import session_report

    now = opts.clock()
    window = resolve_window(opts.start, opts.end, now)
    evidence = backend.session_evidence(window.start, window.end, opts.user, now)
    return session_report(evidence, window.start, window.end, now, opts.action_flags)


def show(opts: SessionsOptions, report: SessionsReport) -> None:
    """Print the rows (with --alert: the matching ones) and exit by what was found: 8 when
    a rule matched; else, when rows are unknown, their fault's code (3, 6, 7): "could not
    check" is never "all clear", with --alert or without; else 0."""
    rows: tuple[SessionRow, ...] = report.rows
    rules = ",".join(rule.text for rule in opts.alert)
    if opts.alert:
        from vtctl.checks.alerts import matching

        rows = tuple(matching(report.rows, opts.alert, report.now))
    _print(opts, report, rows)
    unchecked = _fault(report)
    if opts.alert and rows:
        states = ", ".join(f"{n} {s}" for s, n in _counts(rows).items())
        also = f"; {unchecked.message}" if unchecked is not None else ""
        raise SessionsAlertError(
            f"{len(rows)} of {len(report.rows)} sessions match --alert {rules} ({states}){also}",
            hint="each row's action says what to do",
        )
    if unchecked is not None:
        if opts.alert:
            raise ChecksNotRunError(f"no session matches --alert {rules}, but "
                                    f"{unchecked.message}",
                                    fault=unchecked.fault).advised_as(unchecked)
        raise unchecked
    if opts.alert and opts.io.is_stderr_tty:  # cron and monitors: silent when all is well
        opts.io.info(f"no session matches --alert {rules} ({len(report.rows)} checked)")


def _print(opts: SessionsOptions, report: SessionsReport, rows: tuple[SessionRow, ...]) -> None:
    io = opts.io
    if not opts.fmt.json and not io.is_stdout_tty:
        from vtctl.ui.render.sessions import other_room_notes, session_line

        for row in rows:
            io.print_raw(session_line(row))
        if opts.alert:  # a monitoring check prints its matches and nothing else
            return
        if not report.rows:
            from vtctl.ui.render.sessions import window_text

            io.info(f"no appointments {window_text(report)}")
        for note in other_room_notes(report):
            io.info(note)
        return

    def table() -> Sheet:  # a terminal's (a pipe's lines are above)
        from vtctl.ui.render.sessions import sessions_view
        from vtctl.ui.sheet import Drawn, sheet

        title = f"Matching --alert ({len(rows)})" if opts.alert else None
        return sheet(Drawn(sessions_view(report, rows=rows, title=title), ()))

    emit(io, opts.fmt, lambda: [row.to_json() for row in rows], table)


def _counts(rows: tuple[SessionRow, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for row in rows:
        found[row.state] = found.get(row.state, 0) + 1
    return found


def _fault(report: SessionsReport) -> ChecksNotRunError | None:
    """What left rows unknown (how many, and why), as the error the command exits with:
    the fault's code (3, 6 or 7), as ``diagnose`` picks it for a check that could not run."""
    faults = report.faults()
    if report.failure is not None:
        faults.insert(0, report.failure)
    if not faults:
        return None
    first = faults[0]
    unknown = sum(1 for row in report.rows if row.fault is not None)
    where = (f"{unknown} of {len(report.rows)} sessions are unknown: " if unknown
             else "Twilio's live rooms are unknown: ")
    return ChecksNotRunError(where + first.message, fault=first).advised_as(first)


# -- --watch ------------------------------------------------------------------------------


@dataclass
class SessionsWatch:
    """What the watch knows: the last report, each row's last state, what just changed."""

    report: SessionsReport | None = None
    states: dict[int, str] = field(default_factory=dict)
    changed: frozenset[int] = frozenset()
    #: the rows of the last report that this one no longer has (they left the window)
    gone: tuple[SessionRow, ...] = ()
    #: what left rows unknown in the last report
    fault: ChecksNotRunError | None = None

    @property
    def note(self) -> str | None:
        return None if self.fault is None else f"Twilio: {self.fault.message} (rows unknown)"

    @property
    def retrying(self) -> bool:
        """Whether asking again can help (no: no credentials, as on the demo profile)."""
        return self.fault is None or not isinstance(self.fault.fault, MissingCredentialsError)

    def step(self, report: SessionsReport) -> list[tuple[SessionRow, str | None]]:
        """Fold in a report; the rows whose state changed, with the state before
        (None: first seen).  The first report marks nothing as changed on screen."""
        changes = [(row, self.states.get(row.appointment_id)) for row in report.rows
                   if self.states.get(row.appointment_id) != row.state]
        first = self.report is None
        self.changed = frozenset() if first else frozenset(
            row.appointment_id for row, _ in changes)
        still = {row.appointment_id for row in report.rows}
        self.gone = () if self.report is None else tuple(
            row for row in self.report.rows if row.appointment_id not in still)
        self.states = {row.appointment_id: row.state for row in report.rows}
        self.report = report
        self.fault = _fault(report)
        return changes


def _watch(opts: SessionsOptions, backend: Backend) -> SessionsWatch:
    from vtctl.ui.render.sessions import change_line, gone_line, watch_view

    state = SessionsWatch()
    io = opts.io
    last_note: list[str | None] = [None]

    def refresh() -> None:
        report = read_report(opts, backend)
        changes = state.step(report)
        if io.is_stdout_tty:
            return
        for row, before in changes:
            io.print_raw(change_line(report.now, row, before))
        for row in state.gone:
            io.print_raw(gone_line(report.now, row))
        if state.note != last_note[0] and state.note is not None:
            io.info(f"{state.note}; retrying in {opts.interval:g} s" if state.retrying
                    else f"{state.note}; they stay unknown until Twilio credentials are set")
        last_note[0] = state.note

    def view() -> RenderableType:
        from rich.text import Text

        if state.report is None:
            return Text("reading the shift...", style="dim")
        return watch_view(state.report, state.changed, opts.interval, state.note, state.gone)

    watch_loop(io, refresh, view, opts.interval, sleep=opts.sleep, max_ticks=opts.max_ticks,
               screen=True)
    return state


# -- the command ----------------------------------------------------------------------------

HELP = (
    "Show every appointment of a time window with its live state: the shift at a glance."
    "\n\n"
    "Local backend (the store, and Twilio's Rooms API with TWILIO_* credentials). States, "
    "those that need someone first: stranger (someone who is neither the patient nor the "
    "psychologist is connected), waiting (one of the two is connected: who, for how long), "
    "no room (starts within 15 min without a room), missed (10 min past the start and "
    "nobody joined), overrun (in session past the scheduled end), unknown (Twilio could "
    "not be asked: why), in session (elapsed / scheduled minutes), upcoming, ended. Each "
    "row says what to do. Live rooms of no appointment in the window are listed apart."
    "\n\n"
    "TIME: ISO 8601 (2025-11-16T09:00:00Z), relative to now (-30m, +2h, now) or a UTC day "
    "(today, tomorrow, 2025-11-16: its start for --from, its end for --to)."
    "\n\n"
    "--alert RULES makes it a monitoring check: STATE or STATE>DURATION, comma-separated "
    "(waiting>5m,missed,no-room,stranger); only the matching rows are printed."
    "\n\n"
    "Exit codes, with --alert or without: 8 when a rule matched; else, when rows are unknown "
    "(Twilio could not be asked, or was not: the demo profile's fake credentials), the "
    "fault's code (3 credentials, 6 Twilio error, 7 unreachable), with how many rows and why "
    "on stderr; 0 only when every row was checked."
)

FromTime = Annotated[
    str,
    typer.Option("--from", metavar="TIME",
                 help="Start of the window \\[default: -2h, two hours ago].",
                 show_default=False),
]
ToTime = Annotated[
    str,
    typer.Option("--to", metavar="TIME", help="End of the window \\[default: +2h].",
                 show_default=False),
]
UserOption = Annotated[
    str | None,
    typer.Option("--user", metavar="ID|EMAIL",
                 help="Only this user's appointments (patient or psychologist).",
                 show_default=False),
]
Alert = Annotated[
    str | None,
    typer.Option("--alert", metavar="RULES",
                 help="Print only the rows matching a rule and exit 8 if any does: STATE or "
                 "STATE>DURATION, comma-separated, e.g. waiting>5m,missed,no-room,stranger. "
                 "States: stranger, waiting, no-room, missed, overrun, unknown, in-session, "
                 "upcoming, ended.", show_default=False),
]
Watch = Annotated[
    bool,
    typer.Option("--watch", "-w",
                 help="Keep a full-screen view, refreshed every --interval seconds, marking "
                 "the rows whose state changed; piped, one line per state change (`to` is "
                 "'gone' when a row leaves the window). Ctrl-C to stop.",
                 rich_help_panel=o.OUTPUT_PANEL),
]
Interval = Annotated[
    float | None,
    typer.Option("--interval", metavar="SECONDS",
                 help=f"Seconds between --watch refreshes \\[default: {DEFAULT_INTERVAL:g}; "
                 f"minimum {MIN_INTERVAL:g}].", rich_help_panel=o.OUTPUT_PANEL,
                 show_default=False),
]


def command(
    ctx: typer.Context,
    from_: FromTime = DEFAULT_FROM,
    to: ToTime = DEFAULT_TO,
    user: UserOption = None,
    alert: Alert = None,
    watch_: Watch = False,
    interval: Interval = None,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    from vtctl.checks.alerts import parse_alert_rules
    from vtctl.config.settings import paste_flags

    seconds = interval_flag(watch_, interval, DEFAULT_INTERVAL)
    run_sessions(
        SessionsOptions(
            io=streams(ctx), open_backend=backend.open, fmt=output_format(json, jq),
            start=parse_time(from_, "--from"), end=parse_time(to, "--to"),
            user=user, watch=watch_,
            interval=seconds,
            alert=parse_alert_rules(alert) if alert is not None else (),
            action_flags=paste_flags(backend.settings),
        )
    )


def register(app: typer.Typer) -> None:
    app.command("sessions", cls=JsonCommand, help=HELP)(
        with_backend_flags(command, remote=None, local=("engine", "twilio"))
    )
