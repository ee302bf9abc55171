"""Resolve what a command runs against: flag > environment > profile > default."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from vtctl.config.profiles import (
    DEFAULT_PROFILE,
    DEMO_PROFILE,
    Profile,
    complete_profile,
    load_config,
    require_profile,
    validate_profile_name,
)
from vtctl.domain.errors import ConfigError, UsageError
from vtctl.util.record import Record

BackendKind = Literal["remote", "local"]
#: what a command run on a backend reaches: the remote REST API, the local engine (its
#: store), Twilio's API. A flag for something the run does not reach would be ignored.
Reach = Literal["api", "engine", "twilio"]
REACH_WORDS: dict[str, str] = {"api": "the remote API", "engine": "the local engine",
                               "twilio": "Twilio"}
DEFAULT_BASE_URL = "http://localhost:8000"
#: seconds a remote request (the backend's API or Twilio's) may take, the whole reply included
DEFAULT_TIMEOUT = 10.0
DEFAULT_TOKEN_PATH = "/api/token/"
DEFAULT_REFRESH_PATH = "/api/token/refresh/"


class Applies(Record):
    """Where a flag means something: a run that reaches none of ``reaches`` would ignore it,
    so it is a usage error instead (checked in one place, ``cli.framework.context``).
    A command flag says so in its ``Annotated`` declaration (``--as``); a backend flag
    in its ``Flag``."""

    reaches: tuple[Reach, ...]
    #: why, in a few words, for the error line
    note: str = ""


class Flag(Record):
    """How a backend option is written on the command line (``BackendOptions``)."""

    names: tuple[str, ...]
    help: str
    metavar: str | None = None
    complete: Callable[[str], list[str]] | None = None
    #: where it applies (None: on every run, like --profile)
    applies: Applies | None = None


def _flag(*names: str, help: str, metavar: str | None = None,
          complete: Callable[[str], list[str]] | None = None,
          reaches: tuple[Reach, ...] = ()) -> Flag:
    applies = Applies(reaches) if reaches else None
    return Flag(names, help, metavar, complete, applies)


class BackendOptions(Record):
    """What the user said on the command line (None: not said).

    Each field annotated with a ``Flag`` is a backend flag, declared only here: every
    data command accepts it (``cli.framework.backend_flags`` gives it to Typer, reading
    the annotations with ``typing.get_type_hints(..., include_extras=True)``) and
    :func:`resolve_settings` turns it into a ``Settings`` value.
    """

    local: Annotated[bool, _flag(
        "--local", help="Use the embedded local engine (same as VTCTL_BACKEND=local).")] = False
    profile: Annotated[str | None, _flag(
        "--profile", "-p", metavar="NAME", complete=complete_profile,
        help="Config profile [env: VTCTL_PROFILE; built-in 'demo' uses the shipped demo data, "
        "in a store of its own whatever VTCTL_STORE says].",
    )] = None
    store: Annotated[str | None, _flag(
        "--store", metavar="PATH", reaches=("engine",),
        help="SQLite appointment store of the local backend [env: VTCTL_STORE].")] = None
    base_url: Annotated[str | None, _flag(
        "--base-url", metavar="URL", reaches=("api",),
        help=f"Remote API base URL, e.g. {DEFAULT_BASE_URL} [env: VTCTL_BASE_URL].")] = None
    timeout: Annotated[float | None, _flag(
        "--timeout", metavar="SECONDS", reaches=("api", "twilio"),
        help=("Timeout of the requests to the remote API or Twilio, covering the whole "
              f"reply [default: {DEFAULT_TIMEOUT:g}]."),
    )] = None
    ca_bundle: Annotated[str | None, _flag(
        "--ca-bundle", metavar="PEM", reaches=("api",),
        help="CA bundle for a private TLS CA [env: SSL_CERT_FILE]. Verification is always on.",
    )] = None
    #: not a flag: the command creates the profile (``auth login``, ``auth twilio``)
    new_profile: bool = False


class Settings(Record):
    """What a command runs against, resolved: flag > environment > profile > default."""

    profile: str
    backend: BackendKind
    base_url: str
    store_path: Path
    timeout: float
    as_user: str | None
    token_path: str
    refresh_path: str
    ca_bundle: str | None = None
    #: what chose the backend, for messages: "--local", "VTCTL_BACKEND=local",
    #: "profile 'demo'" or "the default"
    backend_source: str = "the default"
    #: the store was named (--store, VTCTL_STORE, the profile's ``store``), not the default
    store_given: bool = False

    @property
    def is_demo(self) -> bool:
        return self.profile == DEMO_PROFILE


def default_store_path(profile: str) -> Path:
    from vtctl.config.paths import data_dir

    name = "demo.sqlite3" if profile == DEMO_PROFILE else "store.sqlite3"
    return data_dir() / name


def normalize_base_url(url: str) -> str:
    """Accept ``http(s)://host[:port]`` only: the API paths are appended to it.

    A URL with a user name or password is refused (credentials never go on the
    command line or in the config file) and never quoted back.
    """
    from urllib.parse import urlsplit

    text = url.strip()
    example = "e.g. --base-url http://localhost:8000"
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError when not a number in 0..65535
    except ValueError as exc:
        raise UsageError(f"invalid base URL {_shown(text)}: {exc}", hint=example) from exc
    if "@" in parts.netloc:
        raise UsageError(
            "invalid base URL: it must not hold a user name or password",
            hint="log in with `vtctl auth login`; " + example,
        )
    if parts.scheme not in ("http", "https"):
        raise UsageError(
            f"invalid base URL {_shown(text)}: it must start with http:// or https://",
            hint=example,
        )
    if (not parts.hostname or len(parts.hostname) > 253 or port == 0
            or any(c.isspace() or not c.isprintable() for c in text)):
        raise UsageError(f"invalid base URL {_shown(text)}: it needs a valid host", hint=example)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(
            f"invalid base URL {_shown(text)}: give only scheme, host and port",
            hint="the /api/... paths are added by vtctl",
        )
    return f"{parts.scheme}://{parts.netloc}"


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 80 else repr(text[:77] + "...")


def resolve_profile_name(
    flag: str | None, env: dict[str, str], config_default: str | None
) -> str:
    chosen = flag if flag is not None else env.get("VTCTL_PROFILE")
    if chosen is not None:
        return validate_profile_name(chosen)
    return config_default or DEFAULT_PROFILE


def _demo_defaults(name: str) -> Profile:
    return Profile(name=name, backend="local", as_user="2")


def checked_timeout(seconds: float) -> float:
    """``seconds`` if it is a usable --timeout (positive, finite), else a usage error."""
    if not 0 < seconds < float("inf"):  # also refuses nan
        raise UsageError("--timeout must be a positive number of seconds")
    return seconds


def resolve_settings(opts: BackendOptions, env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ) if env is None else env
    for flag, given in (("--store", opts.store), ("--base-url", opts.base_url),
                        ("--ca-bundle", opts.ca_bundle)):
        if given is not None and not given.strip():  # `--store "$UNSET"`: not the default
            raise UsageError(f"{flag} cannot be empty", hint=f"leave {flag} out for the default")
    from vtctl.config.paths import config_path

    config = load_config(config_path(env))
    name = resolve_profile_name(opts.profile, env, config.default_profile)
    if not opts.new_profile:
        require_profile(config, name)
    profile = config.profiles.get(name) or (
        _demo_defaults(name) if name == DEMO_PROFILE else Profile(name=name)
    )

    backend = "local" if opts.local else env.get("VTCTL_BACKEND") or profile.backend or "remote"
    source = ("--local" if opts.local else f"VTCTL_BACKEND={backend}" if env.get("VTCTL_BACKEND")
              else f"profile {name!r}" if profile.backend else "the default")
    if backend not in ("remote", "local"):
        raise ConfigError(
            f"unknown backend {backend!r}", hint="VTCTL_BACKEND / backend must be remote or local"
        )

    base_url = normalize_base_url(
        opts.base_url or env.get("VTCTL_BASE_URL") or profile.base_url or DEFAULT_BASE_URL
    )
    # the built-in demo is a sandbox: a VTCTL_STORE exported for real work is not its store
    # (demo tokens must never land in a real store's audit trail), and neither is a
    # --store, refused rather than made and seeded with the demo data (a command that
    # only reads never creates a store)
    demo = name == DEMO_PROFILE  # the one test of "the demo", as Settings.is_demo
    if demo and opts.store is not None:
        raise UsageError("--store: the demo profile keeps its own store; --store applies "
                         "to other profiles: leave out --store, or choose one (--profile NAME)")
    store = (None if demo else opts.store or env.get("VTCTL_STORE")) or profile.store
    store_path = Path(store).expanduser() if store else default_store_path(name)
    timeout = checked_timeout(opts.timeout if opts.timeout is not None else DEFAULT_TIMEOUT)
    return Settings(
        profile=name,
        backend=backend,  # type: ignore[arg-type]
        base_url=base_url,
        store_path=store_path,
        timeout=timeout,
        as_user=profile.as_user,
        token_path=profile.token_path or DEFAULT_TOKEN_PATH,
        refresh_path=profile.refresh_path or DEFAULT_REFRESH_PATH,
        ca_bundle=opts.ca_bundle or env.get("SSL_CERT_FILE"),
        backend_source=source,
        store_given=bool(store),
    )


def paste_flags(settings: Settings) -> tuple[str, ...]:
    """The backend flags that make a suggested command (an action, a hint) reach the same
    backend and data as this run: ``--local``, ``--profile P``, ``--store S``,
    ``--base-url U``, ``--ca-bundle PEM`` where they differ from the defaults
    (``domain.commands``). Never raises: it completes another error's hint."""
    flags: list[str] = []
    if settings.backend == "local":
        flags.append("--local")
    if settings.profile != DEFAULT_PROFILE:
        flags += ["--profile", settings.profile]
    # whether the store was named, not a comparison with the default path: that one
    # needs a home directory, and this runs while another error is on its way out
    if settings.backend == "local" and settings.store_given:
        flags += ["--store", str(settings.store_path)]
    if settings.backend == "remote" and settings.base_url != DEFAULT_BASE_URL:
        flags += ["--base-url", settings.base_url]
    if settings.backend == "remote" and settings.ca_bundle:  # a private CA's server
        flags += ["--ca-bundle", settings.ca_bundle]
    return tuple(flags)
