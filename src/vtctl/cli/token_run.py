"""``vtctl token`` / ``vtctl refresh`` as plain functions (Typer-free).

The Typer command (``vtctl.cli.token``) and the fast path (``vtctl.launch.fastrun``)
both call :func:`token_command` with the values of the parameters Typer
declares, by name, so there is one implementation of the command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.backend_flags import BACKEND_FLAG_NAMES, BackendChoice, settings_from
from vtctl.cli.validate import check_exclusive, parse_appointment_id
from vtctl.domain.models import VideoToken
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format


@dataclass
class TokenOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    appointment_id: int
    as_user: str | None
    fmt: OutputFormat
    refresh: bool = False


def run_token(opts: TokenOptions) -> None:
    def fetch(backend: Backend) -> VideoToken:
        get = backend.refresh_token if opts.refresh else backend.video_token
        return get(opts.appointment_id, opts.as_user)

    token = call_backend(opts.open_backend, fetch)

    def table() -> object:
        from vtctl.ui.render.tokens import token_table

        return token_table(token)

    def lines() -> list[str]:
        from vtctl.ui.render.keyvalue import key_value_lines
        from vtctl.ui.render.tokens import token_rows

        return key_value_lines(token_rows(token))

    emit(opts.io, opts.fmt, token.to_json, table,  # type: ignore[arg-type]
         lambda: token.access_token, lines)


def token_command(
    io: IOStreams,
    *,
    appointment_id: str,
    as_user: str | None,
    json: str | None,
    jq: str | None,
    raw: bool,
    backend: BackendChoice,
    refresh: bool,
) -> None:
    """Check the command line's values and run the command."""
    check_exclusive(json=json is not None or jq is not None, raw=raw)
    run_token(
        TokenOptions(
            io=io,
            open_backend=backend.open,
            appointment_id=parse_appointment_id(appointment_id),
            as_user=as_user or backend.settings.as_user,
            fmt=output_format(json, jq, raw),
            refresh=refresh,
        )
    )


def run_from_values(io: IOStreams, values: dict[str, Any], refresh: bool) -> None:
    """The fast path's call: every declared parameter by name, the backend flags resolved."""
    own = {name: value for name, value in values.items() if name not in BACKEND_FLAG_NAMES}
    flags = {name: value for name, value in values.items() if name in BACKEND_FLAG_NAMES}
    token_command(io, **own, backend=BackendChoice(settings_from(**flags)), refresh=refresh)
