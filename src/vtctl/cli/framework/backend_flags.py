"""The backend flags, given to Typer from their one declaration
(``config.settings.BackendOptions``), and the backend a command runs against."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from typing import Annotated, Any

import typer

from vtctl.backends.base import Backend
from vtctl.config.settings import BackendOptions, Flag, Settings, resolve_settings

BACKEND_PANEL = "Backend"


def backend_option(name: str) -> Any:
    """The Typer option of the backend flag ``name`` (a field of ``BackendOptions``)."""
    field = next(f for f in dataclasses.fields(BackendOptions) if f.name == name)
    flag: Flag = field.metadata["flag"]
    extra: dict[str, Any] = {} if isinstance(field.default, bool) else {"show_default": False}
    if flag.metavar:
        extra["metavar"] = flag.metavar
    if flag.complete:
        extra["autocompletion"] = flag.complete
    help_text = flag.help.replace("[", "\\[")  # rich markup: the brackets are text
    return typer.Option(*flag.names, help=help_text, rich_help_panel=BACKEND_PANEL, **extra)


def backend_flag_parameters() -> list[inspect.Parameter]:
    """Every backend flag as a keyword-only parameter Typer reads, in declaration order."""
    hints = typing.get_type_hints(BackendOptions)
    return [
        inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY, default=field.default,
                          annotation=Annotated[hints[field.name], backend_option(field.name)])
        for field in dataclasses.fields(BackendOptions) if "flag" in field.metadata
    ]


def settings_from(**given: Any) -> Settings:
    """The settings for the backend flags ``given`` (flag > env > profile > default)."""
    return resolve_settings(BackendOptions(**given))


class BackendChoice:
    """The backend a command runs against, opened only when it is needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def open(self) -> Backend:
        from vtctl.backends import open_backend

        return open_backend(self.settings)
