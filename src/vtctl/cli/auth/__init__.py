"""``vtctl auth login|status|token|logout|twilio``: credentials in the OS keyring, one
module per verb.

Secrets are never taken from argv (``argv``): a JWT comes from stdin
(``--with-token``) or a hidden prompt, a password and the Twilio API secret
from a hidden prompt or stdin.  ``VTCTL_JWT`` in the environment wins over the
keyring (for CI).  httpx and keyring are imported lazily (inside the
functions that use them).
"""

from __future__ import annotations

import typer

HELP = (
    "Log in to the remote API and store credentials in the OS keyring.\n\n"
    "The JWT is stored per profile; VTCTL_JWT in the environment wins over it (for CI). "
    "Secrets are read from stdin or a hidden prompt, never from the command line."
)


def register(app: typer.Typer) -> None:
    from vtctl.cli.auth import login, logout, status, token, twilio

    group = typer.Typer(name="auth", help=HELP, no_args_is_help=True)
    for verb in (login, status, token, logout, twilio):
        verb.register(group)
    app.add_typer(group)
