"""Every command module and the names it registers, in help order.

``cli.app.run`` imports only the module of the command it runs (``vtctl token``
does not import ``serve`` or ``auth``); help, completion and docs use them all.
``tests/test_commands.py`` checks each module registers exactly the names listed.
"""

from __future__ import annotations

import importlib

import typer

#: module under ``vtctl.cli`` -> the command (or group) names its ``register`` adds
MODULES: dict[str, tuple[str, ...]] = {
    "token": ("token",),
    "refresh": ("refresh",),
    "room": ("room",),
    "appointment": ("appointment",),
    "inspect": ("inspect",),
    "mint": ("mint",),
    "audit": ("audit",),
    "serve": ("serve",),
    "smoke": ("smoke",),
    "status": ("status",),
    "sessions": ("sessions",),
    "diagnose": ("diagnose",),
    "history": ("history",),
    "auth": ("auth",),
    "config": ("config",),
    "completion": ("completion",),
    "help": ("help",),
}


def module_of(name: str) -> str | None:
    """The module that registers the command ``name``; None for an unknown name."""
    return next((module for module, names in MODULES.items() if name in names), None)


def register(app: typer.Typer, modules: tuple[str, ...] | None = None) -> None:
    """Register ``modules`` (default: every command) on ``app``."""
    for module in MODULES if modules is None else modules:
        importlib.import_module(f"vtctl.cli.{module}").register(app)
