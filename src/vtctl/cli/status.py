"""``vtctl status ROOM [--watch]``: the appointment's video room and who is in it.

``ROOM`` is an appointment id, a room name or (local backend) a Twilio room SID.

Remote: GET /api/appointments/video-status/ID/.  Local: Twilio's Rooms and
Participants API with the local Twilio credentials.

``--watch`` keeps a live view (rich ``Live``) that refreshes every
``--interval`` seconds, highlights who joined or left since the last refresh
and keeps going through transient network/server errors.  The loop is split so
it can be tested without sleeping: ``WatchState.step`` is pure (a fetch result
in, events out), and ``watch`` takes the fetch, ``sleep`` and clock as arguments.
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
from vtctl.domain.errors import NetworkError, ServerError, UsageError, VtctlError
from vtctl.domain.room_ref import RoomRef, parse_room_ref
from vtctl.domain.room_state import PublishedTrack, RoomStatus
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.live import real_sleep
from vtctl.ui.output import OutputFormat, emit, output_format
from vtctl.util.clock import utc_now

if TYPE_CHECKING:
    from rich.console import RenderableType

    from vtctl.ui.render.status import ParticipantChanges, WatchEvent
    from vtctl.ui.sheet import Sheet

DEFAULT_INTERVAL = 3.0
MIN_INTERVAL = 0.5
#: errors the watch view shows and retries on the next tick; others end the watch
TRANSIENT_ERRORS: tuple[type[VtctlError], ...] = (NetworkError, ServerError)

#: the fields of `status --json`, declared on the model
FIELDS = RoomStatus.json_fields()


@dataclass
class StatusOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    room: RoomRef
    fmt: OutputFormat
    watch: bool = False
    interval: float = DEFAULT_INTERVAL
    sleep: Callable[[float], None] = real_sleep
    clock: Callable[[], datetime] = utc_now
    #: stop after this many refreshes (tests); None: until Ctrl-C
    max_ticks: int | None = None


def run_status(opts: StatusOptions) -> None:
    if opts.watch:
        if opts.fmt.json:
            from vtctl.domain.commands import Suggestion

            raise UsageError(
                "--json and --watch cannot be used together",
                suggests=Suggestion(("status", opts.room.text, "--json"),
                                    "run `{command}` in a loop for machine-readable polling"),
            )
        check_interval(opts.interval, MIN_INTERVAL)
    backend = opts.open_backend()
    try:
        appointment_id = backend.resolve_room(opts.room)
        if opts.watch:
            watch(
                lambda: backend.room_status(appointment_id), opts.io, appointment_id,
                opts.interval, sleep=opts.sleep, clock=opts.clock, max_ticks=opts.max_ticks,
            )
            return
        status = backend.room_status(appointment_id)
    finally:
        backend.close()

    def view() -> Sheet:
        from vtctl.ui.render.status import status_sheet

        return status_sheet(status, opts.clock())

    emit(opts.io, opts.fmt, status.to_json, view)


# -- --watch --------------------------------------------------------------------------


@dataclass
class WatchState:
    """What the watch view knows; ``step`` folds one fetch result into it (no I/O)."""

    appointment_id: int
    interval: float = DEFAULT_INTERVAL
    history: int = 8
    current: RoomStatus | None = None
    changes: ParticipantChanges | None = None
    error: VtctlError | None = None
    last_ok_at: datetime | None = None
    updated_at: datetime | None = None
    events: list[WatchEvent] = field(default_factory=list)
    ticks: int = 0

    def step(self, result: RoomStatus | BaseException, now: datetime) -> list[WatchEvent]:
        """Fold in one fetch result; return the events it caused.

        A transient error (network, server) is kept for the view and the last
        good status stays on screen; any other exception is raised.
        """
        from vtctl.ui.render.status import (
            ParticipantChanges,
            WatchEvent,
            participant_changes,
            track_changes,
        )

        self.ticks += 1
        self.updated_at = now
        new: list[WatchEvent] = []
        if isinstance(result, BaseException):
            if not isinstance(result, TRANSIENT_ERRORS):
                raise result
            text = describe_error(result)
            if self.error is None or describe_error(self.error) != text:
                new.append(WatchEvent(now, "error", text))
            self.error = result
        else:
            if self.error is not None:
                new.append(WatchEvent(now, "recovered", "answers again"))
                self.error = None
            previous = self.current
            if previous is None or previous.status != result.status:
                new.append(WatchEvent(now, "status", _status_text(result)))
            changes = participant_changes(previous, result)
            new += [WatchEvent(now, "joined", _who(p.identity, p.role)) for p in changes.joined]
            new += [WatchEvent(now, "left", _who(p.identity, p.role)) for p in changes.left]
            new += [
                WatchEvent(now, kind, f"{_who(p.identity, p.role)}: {_track(track)}")
                for kind, p, track in track_changes(previous, result)
            ]
            self.changes = changes if previous is not None else ParticipantChanges()
            self.current = result
            self.last_ok_at = now
        self.events = (self.events + new)[-self.history :]
        return new

    def view(self, now: datetime | None = None) -> RenderableType:
        from vtctl.ui.render.status import watch_view

        return watch_view(
            self.appointment_id, self.current,
            now=now or self.updated_at or utc_now(), interval=self.interval,
            changes=self.changes, events=self.events,
            error=describe_error(self.error) if self.error is not None else None,
            last_ok_at=self.last_ok_at,
        )


def describe_error(error: VtctlError) -> str:
    kind = "network error" if isinstance(error, NetworkError) else "server error"
    return f"{kind}: {error.message}"


def _who(identity: str, role: str | None) -> str:
    return f"{identity} ({role})" if role else identity


def _track(track: PublishedTrack) -> str:
    return f"{track.kind} {track.name}" if track.name else track.kind


def _status_text(status: RoomStatus) -> str:
    count = status.active_participant_count
    connected = "who is connected is unknown" if count is None else f"{count} connected"
    return f"room {status.status or 'status unknown'}, {connected}"


def fetch_once(fetch: Callable[[], RoomStatus]) -> RoomStatus | VtctlError:
    """One fetch, with a vtctl error returned rather than raised."""
    try:
        return fetch()
    except VtctlError as exc:
        return exc


def watch(
    fetch: Callable[[], RoomStatus],
    io: IOStreams,
    appointment_id: int,
    interval: float = DEFAULT_INTERVAL,
    *,
    sleep: Callable[[float], None] = real_sleep,
    clock: Callable[[], datetime] = utc_now,
    max_ticks: int | None = None,
) -> WatchState:
    """Refresh until Ctrl-C (or ``max_ticks``): a live view on a terminal; piped, the
    tables once, then one line per event (like a log).  The loop is ``ui.live``'s."""
    from vtctl.ui.live import watch_loop

    state = WatchState(appointment_id, interval)
    shown = False

    def refresh() -> None:
        nonlocal shown
        now = clock()
        events = state.step(fetch_once(fetch), now)
        if io.is_stdout_tty:
            return
        if not shown and state.current is not None:
            from vtctl.ui.render.status import status_sheet
            from vtctl.ui.sheet import show

            show(io, status_sheet(state.current, now))
            shown = True
        for event in events:
            if event.kind == "error":
                io.info(f"{event.line()} (retrying in {state.interval:g} s)")
            elif event.kind == "recovered":
                io.info(event.line())
            else:
                io.print_raw(event.record())

    watch_loop(io, refresh, lambda: state.view(clock()), interval, sleep=sleep,
               max_ticks=max_ticks)
    return state


# -- the command ----------------------------------------------------------------------

Watch = Annotated[
    bool,
    typer.Option(
        "--watch", "-w",
        help="Keep a live view, refreshed every --interval seconds, highlighting who joined "
        "or left and tracks published, unpublished, muted or unmuted; Ctrl-C to stop.",
        rich_help_panel=o.OUTPUT_PANEL,
    ),
]
Interval = Annotated[
    float | None,
    typer.Option(
        "--interval", metavar="SECONDS",
        help=f"Seconds between --watch refreshes \\[default: {DEFAULT_INTERVAL:g}; "
        f"minimum {MIN_INTERVAL:g}].",
        rich_help_panel=o.OUTPUT_PANEL, show_default=False,
    ),
]


def command(
    ctx: typer.Context,
    room: o.Room,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    watch_: Watch = False,
    interval: Interval = None,
    *,
    backend: BackendChoice,
) -> None:
    seconds = interval_flag(watch_, interval, DEFAULT_INTERVAL)
    run_status(
        StatusOptions(
            io=streams(ctx),
            open_backend=backend.open,
            room=parse_room_ref(room),
            fmt=output_format(json, jq),
            watch=watch_,
            interval=seconds,
        )
    )


def register(app: typer.Typer) -> None:
    app.command(
        "status",
        cls=JsonCommand,
        help="Show the video room of an appointment: its status and who is connected.\n\n"
        "Remote: GET /api/appointments/video-status/ID/. Local: Twilio's Rooms and "
        "Participants API (TWILIO_* credentials). A room nobody has joined yet is "
        "'not-created'; when Twilio was not asked (demo profile) the state is 'unknown'. "
        "--watch keeps a live view and reports joins, departures and track changes.",
    )(with_backend_flags(command, local=("engine", "twilio")))
