"""What ``room end`` and ``room kick`` share: confirm, resolve, change, report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.room.confirm import confirm, require_yes_or_terminal
from vtctl.domain.commands import Suggestion
from vtctl.domain.errors import ServerError
from vtctl.domain.room_ref import RoomRef
from vtctl.domain.room_state import RoomChange
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit


def run_change(
    io: IOStreams, open_backend: Callable[[], Backend], room: RoomRef, fmt: OutputFormat,
    yes: bool, command: str, question: Callable[[int], str],
    change: Callable[[Backend, int], RoomChange],
) -> RoomChange:
    """``--yes`` or a terminal first (nothing sent otherwise), then ask, then change; print
    and exit by the state in Twilio's reply (still live: exit 6)."""
    require_yes_or_terminal(io, yes, f"`vtctl {command}`")

    def act(backend: Backend) -> RoomChange:
        appointment_id = backend.resolve_room(room)
        confirm(io, yes, question(appointment_id))
        return change(backend, appointment_id)

    done = call_backend(open_backend, act)

    def view() -> Any:
        from vtctl.ui.render.rooms import change_sheet

        return change_sheet(done)

    emit(io, fmt, done.to_json, view)
    unfinished = done.unfinished()
    if unfinished is not None:  # printed as Twilio says it is; the exit says it was not done
        raise ServerError(unfinished, suggests=Suggestion(
            ("status", str(done.appointment_id)), "see `{command}`, then try again"))
    return done
