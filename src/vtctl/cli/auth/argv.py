"""Secrets never come from argv: ``vtctl auth login eyJ...`` is refused without echoing it."""

from __future__ import annotations

from vtctl.domain.errors import UsageError

_NO_ARGV_SECRET = (
    "secrets are never taken from the command line (they would land in your shell "
    "history and the process list)"
)


#: ``vtctl auth login eyJ...``: Click keeps extra arguments in ``ctx.args`` instead of
#: echoing the token in its error, and the usage line shows no argument
TAKES_NO_ARGUMENTS = {"allow_extra_args": True}


def refuse_argv_secret(stray: list[str] | None, how: str) -> None:
    if stray:
        raise UsageError(_NO_ARGV_SECRET, hint=how)
