"""``vtctl inspect JWT|-``: decode a Twilio access token and check its signature."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.domain.errors import AuthenticationError, MissingCredentialsError, TokenFormatError
from vtctl.domain.jwt_inspect import TokenReport
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

if TYPE_CHECKING:
    from vtctl.domain.jwt_inspect import SigningSecret
    from vtctl.ui.sheet import Sheet

HELP = """\
Decode a Twilio access token and, given the API secret, verify it.

Shows the header, the account and API key SIDs, the identity, the video room
and any other grants, and when it was issued, starts and expires (local time
and UTC).  Pass - and paste the token on stdin, or pipe it in
(`vtctl token 47 --raw | vtctl inspect -`): a token given as the JWT argument
shows in `ps` and your shell history, so vtctl warns when it is still valid.
The API secret comes from TWILIO_API_SECRET or the
profile's keyring entry (the demo profile has its own), never from the command
line, and is never printed.

Exit codes: 2 when the input is not a well-formed token.  A bad or unverifiable
signature is reported (signature: invalid / unverified) with exit 0, unless
--verify is given: then it exits 3 (not authenticated: the token would not
authenticate, or no API secret is available to check it).  Expiry is shown,
never enforced.
"""

STDIN = "-"

#: the fields of `inspect --json`, declared on the model
FIELDS = TokenReport.json_fields()


@dataclass
class InspectOptions:
    io: IOStreams
    token: str  # the argument: a JWT or "-"
    find_secret: Callable[[], SigningSecret | None]
    fmt: OutputFormat
    verify: bool = False
    #: the moment the argv warning compares the token's expiry with (tests pin it)
    now: datetime | None = None


ARGV_WARNING = (
    "warning: this token is still valid and, given on the command line, shows in `ps` "
    "and your shell history; use `vtctl inspect -` and paste it on stdin"
)


def read_token(io: IOStreams, argument: str) -> str:
    from vtctl.domain.jwt_inspect import clean_token

    if argument == STDIN:
        if io.is_stdin_tty:
            io.info("paste the token, then press Ctrl-D")
        found = io.read_stdin()
        if found is None:
            raise TokenFormatError("stdin holds more than 64 KiB: that is not an access token")
        text = clean_token(found)
        if not text:
            raise TokenFormatError("no token on stdin: it was empty")
        return text
    return clean_token(argument)


def find_secret(profile: str | None) -> SigningSecret | None:
    """The demo profile's secret, else TWILIO_API_SECRET, else the profile's credentials."""
    from vtctl.domain.jwt_inspect import SigningSecret
    from vtctl.local.credentials import ENV_API_KEY, ENV_API_SECRET, resolve_credentials

    settings = settings_from(profile=profile)
    if not settings.is_demo and os.environ.get(ENV_API_SECRET):
        return SigningSecret(
            os.environ[ENV_API_SECRET], os.environ.get(ENV_API_KEY) or None, "environment"
        )
    try:
        credentials = resolve_credentials(settings.profile, demo=settings.is_demo)
    except AuthenticationError:
        return None
    return SigningSecret(credentials.api_secret, credentials.api_key, credentials.source)


def run_inspect(opts: InspectOptions) -> None:
    from vtctl.domain.jwt_inspect import decode, signature_verdict

    token_text = read_token(opts.io, opts.token)
    token = decode(token_text)
    if opts.token != STDIN and token.seconds_left(opts.now) > 0:
        opts.io.info(ARGV_WARNING)
    status, detail = signature_verdict(token_text, token, opts.find_secret())

    def view() -> Sheet:
        from vtctl.ui.render.inspect import inspect_record
        from vtctl.ui.sheet import sheet

        return sheet(inspect_record(token, status, detail))

    emit(opts.io, opts.fmt, lambda: token.to_json(status), view)  # type: ignore[arg-type]

    if opts.verify and status == "invalid":
        raise AuthenticationError(
            f"the token's signature is invalid ({detail})",
            hint="it was not signed with this API secret: Twilio would reject it",
        )
    if opts.verify and status == "unverified":
        raise MissingCredentialsError(
            "cannot verify the signature: no Twilio API secret available",
            hint="export TWILIO_API_SECRET or store the credentials with `vtctl auth twilio`",
        )


def inspect_command(
    ctx: typer.Context,
    token: Annotated[
        str,
        typer.Argument(
            metavar="JWT",
            help="- to read the access token from stdin (a token here shows in `ps`).",
            show_default=False,
        ),
    ],
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Exit 3 unless the signature is verified with the API secret.",
        ),
    ] = False,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    profile: o.Profile = None,
) -> None:
    run_inspect(
        InspectOptions(
            io=streams(ctx),
            token=token,
            find_secret=lambda: find_secret(profile),
            fmt=output_format(json, jq),
            verify=verify,
        )
    )


def register(app: typer.Typer) -> None:
    app.command("inspect", help=HELP, cls=JsonCommand)(inspect_command)
