"""``vtctl token ID`` (and ``vtctl refresh ID``, registered by ``cli/refresh.py`` from the
same command): flags -> ``TokenOptions`` -> ``run_token``.

No ``from __future__ import annotations`` here: Typer reads the command's annotations,
and would compile each string annotation again at every start (issue 20's floor)."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.validate import check_exclusive, parse_appointment_id
from vtctl.domain.errors import NoUserGivenError, UsageError, UserNotFoundError
from vtctl.domain.models import VideoToken
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format
from vtctl.util.record import Record

if TYPE_CHECKING:
    from vtctl.ui.sheet import Sheet


class TokenOptions(Record):
    """``token`` / ``refresh`` as ``run_token`` takes it, Typer left behind.

    A ``Record`` where other commands' options are dataclasses: ``token`` is the
    command run most, and creating a dataclass costs it ~0.5 ms (issue 20's floor)."""

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

    try:
        token = call_backend(opts.open_backend, fetch)
    except NoUserGivenError as exc:  # the engine names the users; the flag is the CLI's
        raise UsageError(f"which user should the token be for? pass --as USER: {exc.choices}",
                         hint=exc.hint) from None
    except UserNotFoundError as exc:
        exc.hint = exc.hint and f"--as takes {exc.hint}"
        raise

    def view() -> "Sheet":
        from vtctl.ui.render.tokens import token_sheet

        return token_sheet(token)

    emit(opts.io, opts.fmt, token.to_json, view,  # type: ignore[arg-type]
         lambda: token.access_token)


def token_command(refresh: bool) -> Callable[..., None]:
    """The Typer command of ``token`` (or, with ``refresh``, of ``refresh``): one set of
    flags for both."""

    def command(
        ctx: typer.Context,
        appointment_id: o.AppointmentId,
        as_user: o.AsUser = None,
        json: Annotated[str | None, json_option(VideoToken.json_fields())] = None,
        jq: Jq = None,
        raw: o.Raw = False,
        *,
        backend: BackendChoice,
    ) -> None:
        check_exclusive(json=json is not None or jq is not None, raw=raw)
        run_token(
            TokenOptions(
                io=streams(ctx),
                open_backend=backend.open,
                appointment_id=parse_appointment_id(appointment_id),
                as_user=as_user or backend.settings.as_user,
                fmt=output_format(json, jq, raw),
                refresh=refresh,
            )
        )

    return with_backend_flags(command)


def register(app: typer.Typer) -> None:
    app.command(
        "token",
        cls=JsonCommand,
        help="Get the video access token and room of an appointment.\n\n"
        "Remote: GET /api/appointments/video-token/ID/ as the logged-in user. "
        "Local: mint it offline for --as USER with the guide's rules.",
    )(token_command(refresh=False))
