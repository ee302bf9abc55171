"""What every command needs from the Typer context: streams and settings."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import BACKEND_FLAG_NAMES, BackendChoice, settings_from
from vtctl.ui.iostreams import IOStreams


def streams(ctx: typer.Context) -> IOStreams:
    obj = ctx.find_root().obj
    return obj.io if obj is not None else IOStreams()


#: The backend flags every data command accepts after its own name: (annotation, default).
_BACKEND_FLAGS: tuple[tuple[str, Any, Any], ...] = tuple(
    (name, *declaration) for name, declaration in zip(BACKEND_FLAG_NAMES, (
        (o.Local, False), (o.Profile, None), (o.Store, None), (o.BaseUrl, None),
        (o.Timeout, None), (o.CaBundle, None),
    ), strict=True)
)


def with_backend_flags(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the shared backend flags, declared once.

    The command declares a ``backend: BackendChoice`` parameter instead of six
    flags; Typer sees the flags (appended to the signature) and the command
    gets them resolved (flag > env > profile > default).
    """
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "backend"]
    flags = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                          annotation=annotation)
        for name, annotation, default in _BACKEND_FLAGS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        chosen = {name: kwargs.pop(name) for name, _, _ in _BACKEND_FLAGS}
        command(*args, backend=BackendChoice(settings_from(**chosen)), **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*own, *flags])  # type: ignore[attr-defined]
    return wrapper
