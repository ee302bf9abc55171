"""Flags shared by many commands, declared once.

Every data command accepts the backend flags after its own name
(``vtctl token 47 --local --json``), as CONTRACT.md's examples use them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from vtctl.config.profiles import complete_profile

BACKEND_PANEL = "Backend"
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
Local = Annotated[
    bool,
    typer.Option(
        "--local",
        help="Use the embedded local engine (same as VTCTL_BACKEND=local).",
        rich_help_panel=BACKEND_PANEL,
    ),
]
Profile = Annotated[
    str | None,
    typer.Option(
        "--profile", "-p", metavar="NAME", autocompletion=complete_profile,
        help="Config profile \\[env: VTCTL_PROFILE; built-in 'demo' uses the shipped demo data].",
        rich_help_panel=BACKEND_PANEL, show_default=False,
    ),
]
Store = Annotated[
    str | None,
    typer.Option(
        "--store", metavar="PATH",
        help="SQLite appointment store of the local backend \\[env: VTCTL_STORE].",
        rich_help_panel=BACKEND_PANEL, show_default=False,
    ),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url", metavar="URL",
        help="Remote API base URL, e.g. http://localhost:8000 \\[env: VTCTL_BASE_URL].",
        rich_help_panel=BACKEND_PANEL, show_default=False,
    ),
]
Timeout = Annotated[
    float | None,
    typer.Option(
        "--timeout", metavar="SECONDS",
        help="Remote request timeout, covering the whole reply \\[default: 10].",
        rich_help_panel=BACKEND_PANEL, show_default=False,
    ),
]
CaBundle = Annotated[
    str | None,
    typer.Option(
        "--ca-bundle", metavar="PEM",
        help="CA bundle for a private TLS CA \\[env: SSL_CERT_FILE]. Verification is always on.",
        rich_help_panel=BACKEND_PANEL, show_default=False,
    ),
]
AsUser = Annotated[
    str | None,
    typer.Option(
        "--as", metavar="USER",
        help="Local backend: mint for this user (id or email); must be the appointment's "
        "patient or psychologist. Default: the profile's as_user.",
        rich_help_panel=BACKEND_PANEL, show_default=False,
    ),
]
#: ``--json`` of a command that prints its document whole; a command with
#: selectable fields declares ``cli.json_flags.json_option(FIELDS)`` instead.
Json = Annotated[
    bool,
    typer.Option("--json", help="Print one JSON document.", rich_help_panel=OUTPUT_PANEL),
]
Raw = Annotated[
    bool,
    typer.Option(
        "--raw", help="Print only the bare token and a newline (for pipes).",
        rich_help_panel=OUTPUT_PANEL,
    ),
]
