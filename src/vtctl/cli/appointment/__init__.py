"""``vtctl appointment``: one module per verb.

``show`` works on both backends; ``list``, ``export``, ``add`` and ``import``
work on the local store; ``pull`` copies appointments from the remote API into it.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from vtctl.cli.appointment import add, export, import_, pull, show
    from vtctl.cli.appointment import list as list_

    group = typer.Typer(
        name="appointment",
        help="Show appointments; list, add and import them in the local store.",
        no_args_is_help=True,
    )
    for verb in (show, list_, export, add, import_, pull):
        verb.register(group)
    app.add_typer(group)
