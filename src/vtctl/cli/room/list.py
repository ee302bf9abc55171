"""``vtctl room list [--status in-progress|completed] [--limit N]``: recent Twilio rooms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.domain.errors import UsageError
from vtctl.domain.room_state import RoomSummary
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

STATUSES = ("in-progress", "completed")
DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


@dataclass
class ListOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    fmt: OutputFormat
    status: str | None = None
    limit: int = DEFAULT_LIMIT


def run_list(opts: ListOptions) -> list[RoomSummary]:
    if opts.status is not None and opts.status not in STATUSES:
        raise UsageError(f"--status must be {' or '.join(STATUSES)}, not {opts.status!r}")
    if not 1 <= opts.limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be between 1 and {MAX_LIMIT}, not {opts.limit}")

    def fetch(backend: Backend) -> list[RoomSummary]:
        return backend.list_rooms(opts.status, opts.limit)

    rooms = call_backend(opts.open_backend, fetch)

    def view() -> Any:
        from vtctl.ui.render.rooms import rooms_sheet

        return rooms_sheet(rooms, opts.status)

    emit(opts.io, opts.fmt, lambda: [room.to_json() for room in rooms], view)
    return rooms


Status = Annotated[
    str | None,
    typer.Option("--status", metavar="in-progress|completed",
                 help="Only rooms in this state.", show_default=False),
]
Limit = Annotated[
    int,
    typer.Option("--limit", "-n", metavar="N",
                 help=f"At most N rooms (Twilio's paging is followed) \\[1..{MAX_LIMIT}]."),
]


@with_backend_flags(remote=None, local=("engine", "twilio"))
def list_command(
    ctx: typer.Context,
    status: Status = None,
    limit: Limit = DEFAULT_LIMIT,
    json: Annotated[str | None, json_option(RoomSummary.json_fields())] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    """List recent Twilio rooms and the appointment each belongs to (local backend).

    Each row: room name, status, participants (connected now, or who took
    part in a finished room), the appointment its name maps to with its
    patient and psychologist from the store, created, duration, SID (piped:
    tab-separated, the patient's and psychologist's names last, a field each).
    """
    run_list(
        ListOptions(io=streams(ctx), open_backend=backend.open, fmt=output_format(json, jq),
                    status=status, limit=limit)
    )


def register(group: typer.Typer) -> None:
    group.command("list", cls=JsonCommand)(list_command)
