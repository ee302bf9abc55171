"""``vtctl audit list|verify``: the local store's trail of minted tokens, one module per verb."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from vtctl.cli.audit import list as list_
    from vtctl.cli.audit import verify

    group = typer.Typer(
        name="audit",
        help="The local store's audit trail: one hash-chained record per token minted locally "
        "(token/refresh --local, mint, serve).",
        no_args_is_help=True,
    )
    for verb in (list_, verify):
        verb.register(group)
    app.add_typer(group)
