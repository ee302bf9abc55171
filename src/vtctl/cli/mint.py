"""``vtctl mint --identity ID --room NAME [--ttl SECONDS]``: an ad-hoc Video token."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams, suggesting_for
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.validate import check_exclusive
from vtctl.domain import rules
from vtctl.domain.errors import UsageError
from vtctl.domain.minted import MintedToken
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit, output_format

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials
    from vtctl.local.audit import AuditSink
    from vtctl.ui.sheet import Sheet

#: As the Twilio CLI's ``token:video``: one hour by default, at most 24 hours.
DEFAULT_TTL = 3600
MAX_TTL = 86400

HELP = f"""\
Mint a Twilio Video access token for any identity and room.

Like the Twilio CLI's token:video: signed with the API key credentials
(TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET, else the profile's
keyring entry; the demo profile uses the demo credentials). No appointment
and no permission rule is involved: use `vtctl token ID` for those.

--ttl is in seconds, 1..{MAX_TTL} (24 hours), default {DEFAULT_TTL}. The identity
is at most {rules.MAX_IDENTITY_LENGTH} characters (Twilio's limit). --room is
required: a token without a room would admit its holder to every room of the
account.

Every minted token is recorded in the profile's store (created if missing):
see `vtctl audit list`.
"""

#: the fields of `mint --json`, declared on the model
FIELDS = MintedToken.json_fields()


@dataclass
class MintOptions:
    io: IOStreams
    credentials: Callable[[], TwilioCredentials]
    audit: Callable[[], AbstractContextManager[AuditSink]]
    identity: str
    room_name: str
    ttl: int = DEFAULT_TTL
    fmt: OutputFormat = field(default_factory=OutputFormat)
    clock: Callable[[], float] = time.time


def validate(identity: str, room_name: str, ttl: int) -> None:
    """Usage errors (exit 2) before any credential is touched."""
    if problem := rules.identity_problem(identity):
        raise UsageError(f"--identity {problem}")
    if not room_name.strip():
        raise UsageError("--room must not be empty")
    if not 1 <= ttl <= MAX_TTL:
        raise UsageError(
            f"--ttl must be between 1 and {MAX_TTL} seconds (24 hours), not {ttl}",
            hint=f"the default is {DEFAULT_TTL} (one hour)",
        )


def run_mint(opts: MintOptions) -> MintedToken:
    from vtctl.local.audit import Minted
    from vtctl.local.engine import mint_access_token

    validate(opts.identity, opts.room_name, opts.ttl)
    credentials = opts.credentials()
    issued_at = int(opts.clock())
    with opts.audit() as trail:
        access_token = mint_access_token(  # PyJWT's short-key warning: the engine's filter
            credentials, opts.identity, opts.room_name, issued_at, opts.ttl
        )
        trail.minted(Minted("mint", None, opts.identity, opts.room_name, opts.ttl, issued_at,
                            access_token))
    minted = MintedToken(
        access_token=access_token,
        identity=opts.identity,
        room_name=opts.room_name,
        ttl=opts.ttl,
        expires_at=datetime.fromtimestamp(issued_at + opts.ttl, UTC),
        api_key_sid=credentials.api_key,
        source=credentials.source,
    )

    def view() -> Sheet:
        from vtctl.ui.render.mint import mint_sheet

        return mint_sheet(minted)

    emit(opts.io, opts.fmt, minted.to_json, view, lambda: minted.access_token)
    return minted


def mint_command(
    ctx: typer.Context,
    identity: Annotated[
        str,
        typer.Option(
            "--identity", "-i", metavar="ID",
            help=f"Participant identity (1..{rules.MAX_IDENTITY_LENGTH} characters).",
            show_default=False,
        ),
    ],
    room: Annotated[
        str,
        typer.Option(
            "--room", "-r", metavar="NAME", help="The video room the token admits to.",
            show_default=False,
        ),
    ],
    ttl: Annotated[
        int,
        typer.Option(
            "--ttl", metavar="SECONDS",
            help=f"Lifetime in seconds, 1..{MAX_TTL}.", show_default=True,
        ),
    ] = DEFAULT_TTL,
    json: Annotated[str | None, json_option(FIELDS)] = None,
    jq: Jq = None,
    raw: o.Raw = False,
    profile: o.Profile = None,
) -> None:
    check_exclusive(json=json is not None or jq is not None, raw=raw)

    settings = settings_from(profile=profile)

    def credentials() -> TwilioCredentials:
        from vtctl.local.credentials import resolve_credentials

        return resolve_credentials(settings.profile, demo=settings.is_demo)

    @contextmanager
    def audit() -> Iterator[AuditSink]:
        from vtctl.backends.local import open_store
        from vtctl.local.audit import AuditContext, AuditTrail

        with open_store(settings, create=True) as store:
            yield AuditTrail(store, AuditContext.current(settings.profile))

    with suggesting_for(settings):  # a hint's command reads the profile's store
        run_mint(
            MintOptions(
                io=streams(ctx), credentials=credentials, audit=audit, identity=identity,
                room_name=room, ttl=ttl, fmt=output_format(json, jq, raw),
            )
        )


def register(app: typer.Typer) -> None:
    app.command("mint", help=HELP, cls=JsonCommand)(mint_command)
