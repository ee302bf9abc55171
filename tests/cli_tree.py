"""The real click command tree, walked: the one walk of the tests that check every command."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main

from vtctl.cli.framework.app import build_app

Path = tuple[str, ...]


def commands(command: Any = None, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every command of the tree (hidden ones too), groups before their verbs, with its path."""
    command = command or typer.main.get_command(build_app())
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, (*path, name))


def leaves(command: Any = None) -> Iterator[tuple[Path, Any]]:
    """Every leaf command of the tree, with its path."""
    for path, found in commands(command):
        if getattr(found, "commands", None) is None:
            yield path, found


def spelled(path: Path) -> str:
    """A path as people type it: ``vtctl room end``."""
    return " ".join(("vtctl", *path))
