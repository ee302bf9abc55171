"""``vtctl history ROOM [--all]``: what happened in an appointment's video sessions."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.config.settings import paste_flags
from vtctl.domain.history import EVENT_FIELDS, HISTORY_FIELDS
from vtctl.domain.room_ref import RoomRef, parse_room_ref
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format
from vtctl.util.clock import utc_now

if TYPE_CHECKING:
    from vtctl.domain.history import SessionHistory
    from vtctl.ui.sheet import Sheet

_PARAGRAPHS = (
    "Tell what happened in an appointment's video sessions, from every source at once.",
    "Joins, for the appointment behind ROOM (an appointment id, a room name or a Twilio room "
    "SID): every Twilio room ever created with its room name (a name is reused once a room "
    "completes), everyone who was in each room and when, Twilio's Video Insights summaries "
    "(why each one left, Twilio's error code and its meaning, browser, OS and SDK), and the "
    "audit trail's tokens for it (minted when, for whom, by which command and OS user, valid "
    "until when: never the token itself). Local backend only, with Twilio credentials.",
    "On a terminal: a picture of the session (one bar per person over the scheduled slot, "
    "drops marked, token lifetimes as thin lines), the timeline, then what stands out (waited "
    "alone, reconnects, errors, a token that expired in the room, a session shorter or longer "
    "than scheduled, a no-show, a stranger). Piped: one tab-separated line per event "
    f"({', '.join(EVENT_FIELDS)}), the findings and notes on stderr. --json: "
    f"{{{', '.join(HISTORY_FIELDS)}}}; each event has {', '.join(EVENT_FIELDS)}; each finding "
    "check, status, detail, action.",
    "Video Insights is optional (not every account has it, and it summarises a room up to 30 "
    "minutes after it ends): when it is missing the rest is shown, with one line saying why. "
    "The token events are the audit trail's records: the whole trail is verified first, as "
    "`vtctl audit verify` does. When it fails, the story is still told, the `audit` finding "
    "(a problem) names the first bad record and the command to run, and the exit code is 9; "
    "when it cannot be checked here (its key is not kept on this machine), the `audit` "
    "finding is a warning and the exit code 3.",
    "Exit 0 when the story was told from a verified trail; 9 or 3 as above, after it; 5 when "
    "the appointment or room is unknown (or has no room); 3, 6 or 7 when Twilio's Video API "
    "cannot be asked; 2 on the remote backend (the API has no such endpoint).",
)
HELP = "\n\n".join(textwrap.fill(paragraph, 78) for paragraph in _PARAGRAPHS)


@dataclass
class HistoryOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    room: RoomRef
    fmt: OutputFormat
    #: follow every page of the rooms of the name (default: the newest page)
    all_rooms: bool = False
    #: backend flags the suggested commands carry (``--local``, ``--store PATH``...)
    action_flags: tuple[str, ...] = ()
    clock: Callable[[], datetime] = utc_now


def run_history(opts: HistoryOptions) -> SessionHistory:
    from vtctl.checks.history_gather import gather_history

    history = call_backend(
        opts.open_backend,
        lambda backend: gather_history(backend, opts.room, opts.clock(), opts.all_rooms,
                                       opts.action_flags),
    )
    for note in history.notes:
        opts.io.info(f"note: {note}")

    def view() -> Sheet:
        """The timeline on a terminal; a pipe gets its lines, what stands out on stderr."""
        from vtctl.ui.render.diagnose import findings_lines
        from vtctl.ui.render.history import history_lines, history_view
        from vtctl.ui.sheet import Drawn, sheet

        stands_out = [f"stands out: {line}" for line in findings_lines(history.findings)]
        return sheet(Drawn(history_view(history), history_lines(history), stands_out))

    emit(opts.io, opts.fmt, history.to_json, view)
    doubt = history.sources.trail_doubt
    if doubt is not None:  # the story is told: now why it is not verified fact
        from vtctl.local.trail_check import not_verified

        raise not_verified(doubt, "the token events shown are")
    return history


AllRooms = Annotated[
    bool,
    typer.Option("--all", help="Read every room of the name, following every page "
                 "(default: the newest page of rooms)."),
]


def command(
    ctx: typer.Context,
    room: o.Room,
    all_rooms: AllRooms = False,
    json: Annotated[str | None, json_option(HISTORY_FIELDS)] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    run_history(HistoryOptions(
        io=streams(ctx), open_backend=backend.open, room=parse_room_ref(room),
        fmt=output_format(json, jq), all_rooms=all_rooms,
        action_flags=paste_flags(backend.settings),
    ))


def register(app: typer.Typer) -> None:
    app.command("history", help=HELP, cls=JsonCommand)(
        with_backend_flags(command, remote=None, local=("engine", "twilio"))
    )
