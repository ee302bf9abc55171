"""``vtctl token`` / ``vtctl refresh`` as plain functions (Typer-free).

The Typer command (``vtctl.cli.token``) and the fast path (``vtctl.launch.fastrun``)
both parse the command line into the same values and call
:func:`token_command`, so there is one implementation of the command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.backend_flags import BackendChoice
from vtctl.cli.validate import check_exclusive, parse_appointment_id
from vtctl.domain.models import VideoToken
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit


@dataclass
class TokenOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    appointment_id: int
    as_user: str | None
    fmt: OutputFormat
    refresh: bool = False


def token_command(
    io: IOStreams,
    *,
    appointment_id: str,
    as_user: str | None,
    json: bool,
    raw: bool,
    backend: BackendChoice,
    refresh: bool,
) -> None:
    """Check the command line's values and run the command."""
    check_exclusive(json=json, raw=raw)
    run_token(
        TokenOptions(
            io=io,
            open_backend=backend.open,
            appointment_id=parse_appointment_id(appointment_id),
            as_user=as_user or backend.settings.as_user,
            fmt=OutputFormat(json=json, raw=raw),
            refresh=refresh,
        )
    )


def run_token(opts: TokenOptions) -> None:
    def fetch(backend: Backend) -> VideoToken:
        get = backend.refresh_token if opts.refresh else backend.video_token
        return get(opts.appointment_id, opts.as_user)

    token = call_backend(opts.open_backend, fetch)

    def table() -> object:
        from vtctl.ui.render.tokens import token_table

        return token_table(token)

    emit(opts.io, opts.fmt, token.to_json, table, lambda: token.access_token)  # type: ignore[arg-type]
