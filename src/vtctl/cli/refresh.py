"""``vtctl refresh ID``: ``token``'s command, asking for a fresh token.

A module of its own so that running either command builds only its own Typer
command; its flags and code are ``cli/token.py``'s.
"""

from __future__ import annotations

import typer

from vtctl.cli.framework.json_flags import JsonCommand
from vtctl.cli.token import token_command


def register(app: typer.Typer) -> None:
    app.command(
        "refresh",
        cls=JsonCommand,
        help="Get a fresh access token before the current one expires.\n\n"
        "Remote: GET /api/appointments/video-token-refresh/ID/. Local: mint a new one.",
    )(token_command(refresh=True))
