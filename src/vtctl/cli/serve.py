"""``vtctl serve``: the local engine as the API guide's HTTP endpoints.

Starlette, uvicorn and PyJWT are imported only when the command runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.validate import given_flags, refuse_ignored
from vtctl.config.settings import Settings
from vtctl.domain.errors import UsageError, UserNotFoundError
from vtctl.server import limits as lim
from vtctl.ui.iostreams import IOStreams

if TYPE_CHECKING:
    from vtctl.domain.credentials import TwilioCredentials

SERVER_PANEL = "Server"
LIMITS_PANEL = "Limits"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass
class ServeOptions:
    io: IOStreams
    settings: Settings
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    access_log: bool = True
    dev_login: bool = False
    issue_jwt: str | None = None  # print a dev JWT for this user and exit
    jwt_minutes: int = 12 * 60
    limits: lim.ServeLimits = field(default_factory=lim.ServeLimits)


def run_serve(opts: ServeOptions) -> None:
    if opts.issue_jwt is not None:
        _issue_jwt(opts)
        return
    if not opts.host.strip():  # `--host "$HOST"` with HOST unset would listen everywhere
        raise UsageError("--host cannot be empty",
                         hint="--host 127.0.0.1 (the default), or 0.0.0.0 to listen everywhere")
    if opts.dev_login and opts.host not in ("127.0.0.1", "localhost", "::1"):
        raise UsageError(
            "--dev-login accepts any password, so it is only offered on a loopback --host",
            hint="use --host 127.0.0.1 (the default), or issue JWTs with --issue-jwt",
        )
    if not 0 <= opts.port <= 65535:
        raise UsageError(f"--port must be 0..65535, not {opts.port}")
    problem = opts.limits.problem()
    if problem is not None:
        raise UsageError(problem)

    from vtctl.backends.local import open_store
    from vtctl.local.audit import AuditContext
    from vtctl.server import app as server
    from vtctl.server import run
    from vtctl.server.audit_sink import BatchingAuditWriter
    from vtctl.server.auth import (
        MIN_SECRET_LENGTH,
        JwtAuthority,
        generate_secret,
        secret_from_env,
    )
    from vtctl.server.state import CachedStore, ServerState

    secret = secret_from_env()
    generated = secret is None
    auth = JwtAuthority(secret or generate_secret(), lifetime=opts.jwt_minutes * 60)
    credentials, problem = _credentials(opts.settings)
    from vtctl.util.logsetup import register_secret

    register_secret(auth.secret)  # redacted from any traceback uvicorn logs
    if credentials is not None:
        register_secret(credentials.api_secret)
    if credentials is not None:
        import twilio.jwt.access_token  # noqa: F401  (warm up: the first request stays fast)

    writer = open_store(opts.settings, create=True)  # seeds the demo store on first use
    try:
        reader = CachedStore.open(opts.settings.store_path)
    except BaseException:
        writer.close()
        raise
    state = ServerState.open(
        reader,
        writer,
        auth,
        credentials,
        problem,
        dev_login=opts.dev_login,
        audit=BatchingAuditWriter(
            opts.settings.store_path, AuditContext.current(opts.settings.profile),
        ),
        limits=opts.limits,
    )
    try:
        sock = run.bind_socket(opts.host, opts.port)
    except BaseException:
        state.close()
        raise
    host, port = sock.getsockname()[:2]
    empty = not writer.list_appointments(limit=1)
    _banner(opts, _url(host, port), credentials, problem, generated, empty,
            short_secret=len(auth.secret) < MIN_SECRET_LENGTH)
    run.configure_logging()
    import gc

    gc.collect()
    gc.freeze()  # the long-lived imports and state: fewer, shorter collections per request
    app = server.create_asgi(state, access_log=opts.access_log)
    run.run_server(app, sock, limits=opts.limits, on_stop=state.close)
    opts.io.info("vtctl serve: stopped")


def _credentials(settings: Settings) -> tuple[TwilioCredentials | None, str | None]:
    """Resolved once at start; a problem is reported by the token endpoints as a 500."""
    from vtctl.domain.errors import VtctlError
    from vtctl.local.credentials import resolve_credentials

    try:
        return resolve_credentials(settings.profile, demo=settings.is_demo), None
    except VtctlError as exc:
        return None, exc.message


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _banner(
    opts: ServeOptions,
    url: str,
    credentials: TwilioCredentials | None,
    problem: str | None,
    generated: bool,
    empty_store: bool = False,
    short_secret: bool = False,
) -> None:
    from vtctl.config.profiles import DEFAULT_PROFILE
    from vtctl.domain.commands import command_line
    from vtctl.server.auth import SECRET_ENV

    settings = opts.settings
    flags = [] if settings.profile == DEFAULT_PROFILE else ["--profile", settings.profile]
    if not settings.is_demo:
        flags += ["--store", str(settings.store_path)]
    if credentials is None:
        twilio = f"NOT AVAILABLE ({problem}): token endpoints answer 500, status says offline"
    elif credentials.source == "demo":
        twilio = "demo credentials (tokens are well-formed; Twilio rejects them); status offline"
    else:
        twilio = f"account {credentials.account_sid}, key {credentials.api_key} " \
                 f"(from the {credentials.source})"
    lines = [
        f"vtctl serve: listening on {url}  (Ctrl-C to stop)",
        f"  store:   {settings.store_path} (profile {settings.profile})"
        + (" -- EMPTY: `vtctl appointment import FILE` into it, or try --profile demo"
           if empty_store else ""),
        f"  twilio:  {twilio}",
        "  auth:    Authorization: Bearer <JWT>, HS256, signed with "
        + ("a random secret made for this run" if generated else f"${SECRET_ENV}"),
    ]
    if short_secret:
        lines.append(f"  WARNING: ${SECRET_ENV} is shorter than 32 characters: anyone who "
                     "guesses it can mint JWTs for any user")
    issue = command_line(("serve", "--issue-jwt", "USER"), flags)
    if not generated:
        login = command_line(("auth", "login", "--with-token"))
        lines.append(f"  dev JWT: {issue} | {login}")
    else:
        lines.append(
            f"  dev JWT: set {SECRET_ENV} (32+ random characters) for both this server "
            f"and `{issue}`"
        )
    if opts.dev_login:
        lines.append(
            f"  login:   curl -X POST {url}/api/token/ -H 'Content-Type: application/json' "
            "-d '{\"username\": \"USER\", \"password\": \"any\"}'"
        )
    lines.append(f"  try:     curl -H \"Authorization: Bearer $JWT\" {url}/api/appointments/"
                 "video-token/47/")
    opts.io.info("\n".join(lines))


def _issue_jwt(opts: ServeOptions) -> None:
    from vtctl.backends.local import open_store
    from vtctl.server.auth import SECRET_ENV, JwtAuthority, secret_from_env

    secret = secret_from_env()
    if secret is None:
        raise UsageError(
            f"--issue-jwt signs with ${SECRET_ENV}, which is not set",
            hint=f"export {SECRET_ENV}=<32+ random characters> for both `vtctl serve` and "
            "--issue-jwt",
        )
    if opts.jwt_minutes <= 0:
        raise UsageError("--jwt-minutes must be a positive number of minutes")
    assert opts.issue_jwt is not None
    with open_store(opts.settings) as store:
        user = store.find_user(opts.issue_jwt)
    if user is None:
        raise UserNotFoundError(
            f"no stored user {opts.issue_jwt!r} in {opts.settings.store_path}",
            hint="give a user id or email from `vtctl appointment list`",
        )
    token = JwtAuthority(secret, lifetime=opts.jwt_minutes * 60).issue(user.id)
    opts.io.print_raw(token)
    if opts.io.is_stderr_tty:
        opts.io.info(
            f"JWT for user {user.id} ({user.email}), valid {opts.jwt_minutes} minutes"
        )


def _limit(flag: str, metavar: str, help: str) -> Any:
    """A flag of the "Limits" panel (``--help`` shows its default)."""
    return typer.Option(flag, metavar=metavar, help=help, rich_help_panel=LIMITS_PANEL)


def command(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", metavar="ADDR", help="Address to listen on.",
                          rich_help_panel=SERVER_PANEL)
    ] = DEFAULT_HOST,
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="TCP port (0: any free one).",
                          rich_help_panel=SERVER_PANEL)
    ] = DEFAULT_PORT,
    profile: o.Profile = None,
    store: o.Store = None,
    issue_jwt: Annotated[
        str | None,
        typer.Option(
            "--issue-jwt", metavar="USER",
            help="Print a dev JWT for this stored user (id or email), signed with "
            "$VTCTL_SERVE_SECRET, and exit. Pipe it to `vtctl auth login --with-token`.",
            rich_help_panel="Dev JWTs", show_default=False,
        ),
    ] = None,
    jwt_minutes: Annotated[
        int, typer.Option("--jwt-minutes", metavar="MIN",
                          help="Lifetime of JWTs this server issues.",
                          rich_help_panel="Dev JWTs")
    ] = 12 * 60,
    dev_login: Annotated[
        bool,
        typer.Option(
            "--dev-login",
            help="Also serve SimpleJWT-style POST /api/token/ {username, password} and "
            "/api/token/refresh/ for stored users. ANY password is accepted: loopback only.",
            rich_help_panel="Dev JWTs",
        ),
    ] = False,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log",
                           help="Log one line per request on stderr (never tokens).",
                           rich_help_panel=SERVER_PANEL)
    ] = True,
    header_timeout: Annotated[float, _limit(
        "--header-timeout", "SECONDS", "Close a connection whose request headers (and then "
        "its body) take longer than this from its start (or its last reply).")
    ] = lim.HEADER_TIMEOUT,
    keepalive_timeout: Annotated[float, _limit(
        "--keepalive-timeout", "SECONDS",
        "Close a keep-alive connection idle this long after a reply.")
    ] = lim.KEEPALIVE_TIMEOUT,
    max_connections: Annotated[int, _limit(
        "--max-connections", "N",
        "Open connections served at once; a request on one more is answered 503.")
    ] = lim.MAX_CONNECTIONS,
    max_header_size: Annotated[int, _limit(
        "--max-header-size", "BYTES", "Request line and headers; larger is answered 431.")
    ] = lim.MAX_HEADER_BYTES,
    max_body_size: Annotated[int, _limit(
        "--max-body-size", "BYTES", "Request body (dev-login JSON); larger is answered 413.")
    ] = lim.MAX_BODY_BYTES,
) -> None:
    if issue_jwt is not None:
        refuse_ignored(given_flags(ctx, *SERVER_ONLY), "does not apply with --issue-jwt (it "
                       "prints a JWT and exits; no server starts)")
    elif not dev_login:
        refuse_ignored(given_flags(ctx, "jwt_minutes"), "is the lifetime of the JWTs this "
                       "server issues, and without --dev-login it issues none",
                       "add --dev-login, or leave out {flag}")
    settings = settings_from(local=True, profile=profile, store=store)
    limits = lim.ServeLimits(
        header_timeout=header_timeout, keepalive_timeout=keepalive_timeout,
        max_connections=max_connections, max_header_bytes=max_header_size,
        max_body_bytes=max_body_size,
    )
    run_serve(
        ServeOptions(
            io=streams(ctx), settings=settings, host=host, port=port, access_log=access_log,
            dev_login=dev_login, issue_jwt=issue_jwt, jwt_minutes=jwt_minutes, limits=limits,
        )
    )


#: the parameters that shape a running server (nothing --issue-jwt does)
SERVER_ONLY = ("host", "port", "dev_login", "access_log", "header_timeout", "keepalive_timeout",
               "max_connections", "max_header_size", "max_body_size")

HELP = """\
Serve the local engine as the API guide's HTTP endpoints.

GET /api/appointments/video-token/ID/, video-token-refresh/ID/, video-status/ID/,
GET /api/appointments/ID/ and POST /api/appointments/video-room/ID/, with the
guide's JSON bodies and status codes, over the store of --store / --profile
(`vtctl serve --profile demo` serves the demo data).

Requests carry `Authorization: Bearer <JWT>`: HS256, SimpleJWT-style claims
(token_type "access", user_id, exp, iat, jti), signed with $VTCTL_SERVE_SECRET
(or a random secret per run). The JWT's user_id is the user tokens are minted for.

Dev JWT:  export VTCTL_SERVE_SECRET=$(openssl rand -hex 32)
          vtctl serve --issue-jwt 2 | vtctl auth login --with-token
     or:  vtctl serve --dev-login, then vtctl auth login --username 2 (any password)

Twilio credentials come from TWILIO_* / the keyring, once at start; without
them the token endpoints answer 500 and video-status says it is offline.
GET /api/schema/ is the API's OpenAPI 3.1 document. Slow, idle and oversized
clients meet the Limits below. Every token it mints is recorded in the store's
audit trail (`vtctl audit list`), appended in batches by a background writer;
Ctrl-C or SIGTERM stops it cleanly, with every record written.
"""


def register(app: typer.Typer) -> None:
    app.command("serve", help=HELP)(command)
