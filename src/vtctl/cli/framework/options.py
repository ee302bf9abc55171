"""Flags shared by many commands, declared once.

Every data command accepts the backend flags after its own name
(``vtctl token 47 --local --json``), as CONTRACT.md's examples use them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from vtctl.cli.framework.backend_flags import BACKEND_PANEL, backend_option
from vtctl.config.settings import Applies

OUTPUT_PANEL = "Output"

AppointmentId = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="Appointment id (a positive integer).",
        show_default=False,
    ),
]
Room = Annotated[
    str,
    typer.Argument(
        metavar="ROOM",
        help="An appointment id (47), a room name (apt-47-...) or a Twilio room SID (RM...; "
        "local backend).",
        show_default=False,
    ),
]
AppointmentIds = Annotated[
    list[str],
    typer.Argument(metavar="ID...", help="Appointment ids (positive integers).",
                   show_default=False),
]
Yes = Annotated[
    bool,
    typer.Option(
        "--yes", "-y",
        help="Do it without asking (required when stdin is not a terminal).",
    ),
]
#: Backend flags for a command that takes only some of them (``appointment list``:
#: --profile, --store); a data command gets them all with ``context.with_backend_flags``.
Profile = Annotated[str | None, backend_option("profile")]
Store = Annotated[str | None, backend_option("store")]
BaseUrl = Annotated[str | None, backend_option("base_url")]
Timeout = Annotated[float | None, backend_option("timeout")]
CaBundle = Annotated[str | None, backend_option("ca_bundle")]
AsUser = Annotated[
    str | None,
    typer.Option(
        "--as", metavar="USER",
        help="Local backend: mint for this user (id or email); must be the appointment's "
        "patient or psychologist. Default: the profile's as_user.",
        rich_help_panel=BACKEND_PANEL, show_default=False,
    ),
    Applies(("engine",), note="remotely the logged-in user's JWT decides whose token it is"),
]
Raw = Annotated[
    bool,
    typer.Option(
        "--raw", help="Print only the bare token and a newline (for pipes).",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
