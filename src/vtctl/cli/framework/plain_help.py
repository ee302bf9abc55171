"""Piped ``--help`` is click's plain formatter, which prints help texts as they are
written; ours are rich markup (``\\[default: ...]``), so the command tree built for a
pipe gets them as plain text first, as the man pages do (``cli.help.manpage``)."""

from __future__ import annotations

from typing import Any

#: the command texts click's plain help prints
COMMAND_TEXTS = ("help", "short_help", "epilog")


def plain_texts(command: Any) -> None:
    """Replace the markup of every help text of ``command`` and its subcommands (click's
    public ``help``/``short_help``/``epilog`` attributes) by the text it shows.

    Only on the tree built for this run (``typer.main.get_command`` builds a new one)."""
    from vtctl.ui.markup import plain

    for holder, names in _texts(command):
        for name in names:
            text = getattr(holder, name, None)
            if isinstance(text, str) and "[" in text:
                setattr(holder, name, plain(text))


def _texts(command: Any) -> list[tuple[Any, tuple[str, ...]]]:
    found: list[tuple[Any, tuple[str, ...]]] = [(command, COMMAND_TEXTS)]
    found += [(param, ("help",)) for param in getattr(command, "params", [])]
    for sub in getattr(command, "commands", {}).values():  # a group (duck-typed: Typer
        found += _texts(sub)  # vendors click)
    return found
