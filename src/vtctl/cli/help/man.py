"""``vtctl help man [COMMAND...]``: a man page, rendered from the whole app's help."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from vtctl.cli.framework.context import streams
from vtctl.ui.iostreams import IOStreams


@dataclass(frozen=True)
class ManOptions:
    command: tuple[str, ...]  #: the command's words after ``vtctl``; () for vtctl(1)


def run_man(opts: ManOptions) -> str:
    """The troff source of the command's man page, rendered from the whole app's help."""
    import typer.main

    from vtctl.cli.framework.app import build_app
    from vtctl.cli.help.manpage import render_page, walk
    from vtctl.domain.errors import UsageError

    for path, command, ctx in walk(typer.main.get_command(build_app())):
        if path == opts.command:
            return render_page(path, command, ctx)
    raise UsageError(f"no command `vtctl {' '.join(opts.command)}`",
                     hint="`vtctl --help` lists the commands")


def show_formatted(io: IOStreams, page: str) -> None:
    """A page for a person at a terminal: ``man -l -`` formats it and pages it, like
    ``git help``; without man (or when it fails), the page as plain text."""
    import shutil
    import subprocess

    man = shutil.which("man")
    if man is not None:
        io.out.flush()
        shown = subprocess.run([man, "-l", "-"], input=page.encode(), check=False)
        if shown.returncode == 0:
            return
    from vtctl.cli.help.manpage import plain_text

    io.out.write(plain_text(page))


def man_dir() -> Path | None:
    """Where the pages are (in ``man1/``): the ``man/`` of the checkout vtctl runs from,
    else the ``share/man`` that ``pip install`` filled (pyproject's data-files), if any."""
    import sys

    import vtctl

    for found in (Path(vtctl.__file__).resolve().parents[2] / "man",
                  Path(sys.prefix) / "share" / "man"):
        if (found / "man1" / "vtctl.1").is_file():
            return found
    return None


def man_command(
    ctx: typer.Context,
    command: Annotated[list[str] | None, typer.Argument(
        help="A command, e.g. `room participants`; none: vtctl(1).", metavar="COMMAND...",
        show_default=False)] = None,
) -> None:
    """Show the man page of vtctl or of a command.

    On a terminal it is shown formatted, through `man -l -` (and its pager), or as
    plain text where man is missing. Piped, it is the troff source, as a page file
    holds it: `vtctl help man | man -l -`, `vtctl help man room participants > page.1`.
    `pip install` also installs every page in share/man/man1 of the install, where
    `man vtctl-token` finds it when the install's bin is on PATH; in a checkout they
    are in man/man1/ (`MANPATH=$PWD/man man vtctl-token`). Where they are is said on stderr.
    """
    io = streams(ctx)
    page = run_man(ManOptions(command=tuple(command or ())))
    if io.is_stdout_tty:
        show_formatted(io, page)
    else:
        io.out.write(page)
    where = man_dir()
    if where is not None:
        io.info(f"Every page is in {where}: MANPATH={where} man vtctl")


def register(group: typer.Typer) -> None:
    group.command("man")(man_command)
