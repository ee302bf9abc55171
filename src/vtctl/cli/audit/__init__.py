"""``vtctl audit list|verify|head``: the local store's trail of minted tokens, one module
per verb."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from vtctl.cli.audit import head, verify
    from vtctl.cli.audit import list as list_

    group = typer.Typer(
        name="audit",
        help="The local store's audit trail: one record per token minted locally "
        "(token/refresh --local, mint, serve), hash-chained and keyed with a MAC.",
        no_args_is_help=True,
    )
    for verb in (list_, verify, head):
        verb.register(group)
    app.add_typer(group)
