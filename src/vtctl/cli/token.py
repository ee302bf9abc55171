"""``vtctl token ID`` and ``vtctl refresh ID``: the Typer declarations (logic in ``token_run``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from vtctl.cli import options as o
from vtctl.cli.backend_flags import BackendChoice
from vtctl.cli.context import streams, with_backend_flags
from vtctl.cli.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.token_run import token_command
from vtctl.domain.models import TOKEN_FIELDS


def _command(refresh: bool) -> Callable[..., None]:
    def command(
        ctx: typer.Context,
        appointment_id: o.AppointmentId,
        as_user: o.AsUser = None,
        json: Annotated[str | None, json_option(TOKEN_FIELDS)] = None,
        jq: Jq = None,
        raw: o.Raw = False,
        *,
        backend: BackendChoice,
    ) -> None:
        token_command(
            streams(ctx), appointment_id=appointment_id, as_user=as_user, json=json, jq=jq,
            raw=raw, backend=backend, refresh=refresh,
        )

    return with_backend_flags(command)


def register(app: typer.Typer) -> None:
    app.command(
        "token",
        cls=JsonCommand,
        help="Get the video access token and room of an appointment.\n\n"
        "Remote: GET /api/appointments/video-token/ID/ as the logged-in user. "
        "Local: mint it offline for --as USER with the guide's rules.",
    )(_command(refresh=False))
    app.command(
        "refresh",
        cls=JsonCommand,
        help="Get a fresh access token before the current one expires.\n\n"
        "Remote: GET /api/appointments/video-token-refresh/ID/. Local: mint a new one.",
    )(_command(refresh=True))
