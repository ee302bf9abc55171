"""``vtctl help environment|exit-codes|man``: the reference tables of CONTRACT.md and the
man pages, one module per verb; ``manpage`` renders the pages (also for
``scripts/gen_docs.py``)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from vtctl.cli.help import environment, exit_codes, man

    group = typer.Typer(name="help",
                        help="Reference pages: environment variables, exit codes, man pages.",
                        no_args_is_help=True)
    for verb in (environment, exit_codes, man):
        verb.register(group)
    app.add_typer(group)
