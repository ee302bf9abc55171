"""What every command needs from the Typer context: streams and settings."""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, overload

import typer

from vtctl.cli.framework.backend_flags import (
    BackendChoice,
    BackendUse,
    Reached,
    backend_flag_parameters,
    check_flags_apply,
    flags_that_apply_somewhere,
    settings_from,
)
from vtctl.config.settings import Settings, paste_flags
from vtctl.domain.errors import VtctlError
from vtctl.ui.iostreams import IOStreams


def streams(ctx: typer.Context) -> IOStreams:
    obj = ctx.find_root().obj  # app.run's streams
    return obj if isinstance(obj, IOStreams) else IOStreams()


@contextlib.contextmanager
def suggesting_for(settings: Settings) -> Iterator[None]:
    """A hint's command runs where this one ran: an error's ``Suggestion`` is completed
    with the run's backend flags (``with_backend_flags`` does it for the data commands;
    the commands that read only the store wrap their run in it)."""
    try:
        yield
    except VtctlError as exc:
        if exc.suggests is not None:
            exc.for_backend(paste_flags(settings))
        raise


@contextlib.contextmanager
def store_settings(profile: str | None, store: str | None) -> Iterator[Settings]:
    """The settings of a command that reads only the local store (``--profile``,
    ``--store``), with its hints completed as ``suggesting_for`` does."""
    settings = settings_from(local=True, profile=profile, store=store)
    with suggesting_for(settings):
        yield settings


@overload
def with_backend_flags(
    command: Callable[..., None], /, *, remote: Reached = ..., local: Reached = ...
) -> Callable[..., None]: ...


@overload
def with_backend_flags(
    *, remote: Reached = ..., local: Reached = ...
) -> Callable[[Callable[..., None]], Callable[..., None]]: ...


def with_backend_flags(
    command: Callable[..., None] | None = None, /, *,
    remote: Reached = ("api",), local: Reached = ("engine",),
) -> Any:
    """Give ``command`` the shared backend flags, declared once, and check them.

    The command declares a ``backend: BackendChoice`` parameter instead of the
    flags (``config.settings.BackendOptions``); Typer sees the flags (appended
    to the signature) and the command gets them resolved (flag > env > profile
    > default). ``remote`` / ``local``: what the command reaches on each backend
    (None: it does not run there, as ``room list`` remotely); once the backend is
    resolved, a flag given for something it does not reach (``--as`` remotely,
    ``--base-url`` locally, ``--timeout`` where nothing is sent) is a usage error,
    never ignored (``backend_flags.check_flags_apply``).
    """
    if command is None:
        return functools.partial(_with_backend_flags, remote=remote, local=local)
    return _with_backend_flags(command, remote=remote, local=local)


def _with_backend_flags(command: Callable[..., None], *, remote: Reached,
                        local: Reached) -> Callable[..., None]:
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "backend"]
    flags = backend_flag_parameters()
    whole = signature.replace(parameters=[*own, *flags])
    use = BackendUse(remote, local, flags_that_apply_somewhere(whole))

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        chosen = {flag.name: kwargs.pop(flag.name) for flag in flags}
        settings = settings_from(**chosen)
        path = getattr(kwargs.get("ctx"), "command_path", None) or command.__name__
        check_flags_apply(path, use, settings, {**chosen, **kwargs})
        with suggesting_for(settings):
            command(*args, backend=BackendChoice(settings), **kwargs)

    wrapper.__signature__ = whole  # type: ignore[attr-defined]
    # the annotations as the signature has them, evaluated once: Typer reads both, and
    # would otherwise evaluate the copied strings (a compile each) again
    wrapper.__annotations__ = {p.name: p.annotation for p in whole.parameters.values()
                              if p.annotation is not p.empty}
    wrapper.backend_use = use  # type: ignore[attr-defined]
    return wrapper
