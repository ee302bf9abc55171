"""``vtctl diagnose ROOM [--token -]``: why someone cannot get into a session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.backends.base import Backend, call_backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams, with_backend_flags
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.inspect import STDIN, find_secret, read_token
from vtctl.config.settings import paste_flags
from vtctl.domain.errors import ChecksNotRunError, DiagnoseProblemError, UsageError
from vtctl.domain.findings import Finding
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format
from vtctl.util.clock import utc_now

if TYPE_CHECKING:
    from vtctl.domain.jwt_inspect import SigningSecret

HELP = """\
Check why someone cannot get into a session, and say what to do.

Runs a checklist for the appointment behind ROOM (an appointment id, a room
name or a Twilio room SID): the appointment and its two users, now against
its scheduled time, its room, the room's state in Twilio, who is connected
(the patient, the psychologist, a stranger, the same person twice), their
audio and video.  With --token - it also checks a token read from stdin
(e.g. pasted from the patient's browser): its signature, identity, room,
validity and lifetime.  Each finding is ok, warning or problem; every
problem has an action that reaches the person who has it: a `vtctl ...`
command to run, or words to pass on (`tell Jane Doe (patient): reload the
session page; it fetches a new token`).  A session long over is a problem
too (an old link), its action naming the patient's next appointment.

A check that a fault kept from running (no Twilio credentials, Twilio
unreachable or answering what is not Twilio's, a remote server that cannot
ask Twilio, no API secret to verify the token) says `could not run:` and why;
the rest still run.

Exit codes: 0 only when every check ran and none found a problem (warnings
allowed); 8 when a problem was found; else, when a check could not run, its
fault's code (3 credentials, 6 a reply that is not Twilio's, 7 unreachable),
after the findings.  The usual codes when the appointment itself cannot be
read (5 not found, 4 not one of its users, 3 not authenticated, 7 unreachable).
"""


@dataclass
class DiagnoseOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    room: str
    fmt: OutputFormat
    #: read a token from stdin and check it too
    read_token: bool = False
    find_secret: Callable[[], SigningSecret | None] = lambda: None
    #: backend flags the suggested commands carry (``--local``, ``--store PATH``...)
    action_flags: tuple[str, ...] = ()
    clock: Callable[[], datetime] = utc_now


def run_diagnose(opts: DiagnoseOptions) -> list[Finding]:
    from vtctl.checks.diagnose_gather import gather_and_check
    from vtctl.domain.room_ref import parse_room_ref

    ref = parse_room_ref(opts.room)
    token_text = read_token(opts.io, STDIN) if opts.read_token else None
    if token_text is not None:
        from vtctl.util.logsetup import register_secret

        register_secret(token_text)  # a bearer credential: never in --debug output
    findings = call_backend(
        opts.open_backend,
        lambda backend: gather_and_check(backend, ref, opts.clock(), opts.action_flags,
                                         token_text, opts.find_secret),
    )
    show(opts.io, opts.fmt, findings, title=f"diagnose {ref.text}")
    raise_verdict(findings)
    return findings


def raise_verdict(findings: list[Finding]) -> None:
    """Exit 0 only when every check ran and none found a problem: a problem is 8, else a
    check a fault kept from running is that fault's code (3, 6, 7)."""
    from vtctl.checks.diagnose import ACTION_HINT, not_run, problems, unrun_phrase

    found, unrun = problems(findings), not_run(findings)
    if found:
        plural = "s" if len(found) != 1 else ""
        also = f"; {unrun_phrase(unrun)}" if unrun else ""
        raise DiagnoseProblemError(
            f"{len(found)} problem{plural} found: {', '.join(f.check for f in found)}{also}",
            hint=ACTION_HINT,
        )
    if unrun:
        fault = unrun[0].fault
        assert fault is not None
        raise ChecksNotRunError(f"{unrun_phrase(unrun)}: {fault.message}",
                                fault=fault).advised_as(fault)


def show(io: IOStreams, fmt: OutputFormat, findings: list[Finding], title: str) -> None:
    from vtctl.ui.render.diagnose import findings_sheet

    emit(io, fmt, lambda: [f.to_json() for f in findings], lambda: findings_sheet(findings, title))


#: the fields of each finding of `diagnose --json` (CONTRACT.md), declared on the model
FIELDS = Finding.json_fields()

TokenFlag = Annotated[
    str | None,
    typer.Option(
        "--token", metavar="-",
        help="Also check an access token read from stdin (only - is accepted: a token never "
        "goes on the command line).",
        show_default=False,
    ),
]


def command(
    ctx: typer.Context,
    room: o.Room,
    token: TokenFlag = None,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    *,
    backend: BackendChoice,
) -> None:
    if token is not None and token != STDIN:
        raise UsageError(
            "--token takes only - (the token is read from stdin)",
            hint="a token on the command line lands in shell history: "
            "pipe it in, e.g. `pbpaste | vtctl diagnose 47 --token -`",
        )
    settings = backend.settings
    run_diagnose(
        DiagnoseOptions(
            io=streams(ctx),
            open_backend=backend.open,
            room=room,
            fmt=output_format(json, jq),
            read_token=token is not None,
            find_secret=lambda: find_secret(settings.profile),
            action_flags=paste_flags(settings),
        )
    )


def register(app: typer.Typer) -> None:
    app.command("diagnose", help=HELP, cls=JsonCommand)(
        with_backend_flags(command, local=("engine", "twilio"))
    )
