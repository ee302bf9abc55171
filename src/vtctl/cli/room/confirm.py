"""Commands that change a live call ask first on a terminal and need ``--yes`` elsewhere."""

from __future__ import annotations

from vtctl.domain.errors import DeclinedError, NotConfirmedError
from vtctl.ui.iostreams import IOStreams


def require_yes_or_terminal(io: IOStreams, yes: bool, what: str) -> None:
    """Before anything is sent: without ``--yes`` there must be a terminal to ask on."""
    if not yes and not io.is_stdin_tty:
        raise NotConfirmedError(
            f"{what} changes a live call and stdin is not a terminal to ask on; nothing was sent",
            hint="add --yes to do it without asking",
        )


def confirm(io: IOStreams, yes: bool, question: str) -> None:
    """Ask ``question`` on the terminal unless ``--yes``; no is exit 1, nothing changed."""
    if yes:
        return
    if not io.ask_yes_no(question):
        raise DeclinedError("not confirmed; nothing was changed")
