"""Checks on command-line values, shared by the Typer commands."""

from __future__ import annotations

import typer

from vtctl.domain.errors import UsageError
from vtctl.domain.rules import MAX_ID


def parse_appointment_id(text: str) -> int:
    """A positive integer, or a usage error that says so (exit 2)."""
    stripped = text.strip()
    shown = repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text)} characters)"
    if not stripped.isascii() or not stripped.isdigit():
        raise UsageError(f"appointment id must be a positive integer, not {shown}")
    # at most 19 digits: no int() of a 5000-digit string (Python refuses those)
    digits = stripped.lstrip("0")
    if not digits or len(digits) > len(str(MAX_ID)) or int(digits) > MAX_ID:
        raise UsageError(f"appointment id must be between 1 and {MAX_ID}, not {shown}")
    return int(digits)


def check_exclusive(**flags: bool) -> None:
    chosen = [name for name, on in flags.items() if on]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join('--' + n for n in chosen)} cannot be used together")


def given_flags(ctx: typer.Context, *names: str) -> list[str]:
    """The options among the parameters ``names`` that were typed on the command line."""
    found = []
    for param in ctx.command.params:
        if param.name in names and getattr(param, "opts", None):
            source = ctx.get_parameter_source(param.name)
            if source is not None and source.name == "COMMANDLINE":
                found.append(param.opts[0])
    return found


def refuse_ignored(flags: list[str], why: str, fix: str = "leave out {flag}") -> None:
    """Flags that this run would ignore are a usage error (issue 19 rule 5), one line
    naming the first: ``{flag} {why}; {fix}``."""
    if flags:
        flag = flags[0]
        raise UsageError(f"{flag} {why}; {fix.format(flag=flag)}")
