"""``vtctl room kick ROOM IDENTITY [--yes]``: disconnect one participant (local backend)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import typer

from vtctl.backends.base import Backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.room.change import run_change
from vtctl.domain.errors import UsageError
from vtctl.domain.room_ref import RoomRef, parse_room_ref
from vtctl.domain.room_state import RoomChange
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, output_format


@dataclass
class KickOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    room: RoomRef
    who: str
    fmt: OutputFormat
    yes: bool = False


def run_kick(opts: KickOptions) -> RoomChange:
    who = opts.who.strip()
    if not who or len(who) > 256 or not who.isprintable():
        raise UsageError("IDENTITY must be a participant identity, a user id or an email")
    return run_change(
        opts.io, opts.open_backend, opts.room, opts.fmt, opts.yes, "room kick",
        lambda appointment_id: f"Disconnect {who} from the video room of appointment "
        f"{appointment_id}?",
        lambda backend, appointment_id: backend.kick(appointment_id, who),
    )


Identity = Annotated[
    str,
    typer.Argument(metavar="IDENTITY", show_default=False,
                   help="The participant's identity (2-jane.doe@example.com), or the user id "
                   "or email of the appointment's patient or psychologist."),
]


@with_backend_flags(remote=None, local=("engine", "twilio"))
def kick_command(
    ctx: typer.Context,
    room: o.Room,
    identity: Identity,
    yes: o.Yes = False,
    json: Annotated[str | None, json_option(RoomChange.JSON_FIELDS)] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    """Disconnect a participant from the room (local backend).

    Asks first on a terminal; elsewhere needs --yes (without it: exit 2, nothing
    sent). Someone who is not connected is exit 5, listing who is.
    """
    run_kick(KickOptions(io=streams(ctx), open_backend=backend.open, room=parse_room_ref(room),
                         who=identity, fmt=output_format(json, jq), yes=yes))


def register(group: typer.Typer) -> None:
    group.command("kick", cls=JsonCommand)(kick_command)
