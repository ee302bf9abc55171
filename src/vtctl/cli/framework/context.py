"""What every command needs from the Typer context: streams and settings."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import typer

from vtctl.cli.framework.backend_flags import (
    BackendChoice,
    backend_flag_parameters,
    settings_from,
)
from vtctl.ui.iostreams import IOStreams


def streams(ctx: typer.Context) -> IOStreams:
    obj = ctx.find_root().obj  # app.run's streams
    return obj if isinstance(obj, IOStreams) else IOStreams()


def with_backend_flags(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the shared backend flags, declared once.

    The command declares a ``backend: BackendChoice`` parameter instead of the
    flags (``config.settings.BackendOptions``); Typer sees the flags (appended
    to the signature) and the command gets them resolved (flag > env > profile
    > default).
    """
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "backend"]
    flags = backend_flag_parameters()

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        chosen = {flag.name: kwargs.pop(flag.name) for flag in flags}
        command(*args, backend=BackendChoice(settings_from(**chosen)), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*own, *flags])  # type: ignore[attr-defined]
    return wrapper
