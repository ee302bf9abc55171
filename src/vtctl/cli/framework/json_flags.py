"""``--json [FIELDS]`` and ``--jq EXPR``, declared by each command that prints JSON.

As gh's ``AddJSONFlags``: a command names the fields of its JSON document in
its own declaration (``json: Annotated[str | None, json_option(FIELDS)] = None``,
``jq: o.Jq = None``), ``--help`` lists them, and the command turns the values
into an ``OutputFormat`` with :func:`vtctl.ui.output.output_format`.

The click parser Typer uses has no options with an optional value, so a
command that declares ``json_option`` is built with ``cls=JsonCommand``: it
reads a bare ``--json`` as "every field" and ``--json a,b`` as a field list
(unless the word is needed as the command's positional argument), from its
own parameters (``vtctl.util.jsonargs``, which shell completion uses too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperOption

from vtctl.cli.framework.options import OUTPUT_PANEL
from vtctl.util.jsonargs import JQ_OPTION, JSON_OPTION, spell_json_values


def json_option(fields: Sequence[str]) -> Any:
    """The ``--json [FIELDS]`` declaration of a command whose document has ``fields``."""
    return typer.Option(
        JSON_OPTION, metavar="[FIELDS]",
        help="Print one JSON document. With FIELDS (e.g. --json room_name,expires_at or "
        "--json=room_name) only those keys, in that order. Fields: " + ", ".join(fields) + ".",
        rich_help_panel=OUTPUT_PANEL, show_default=False,
    )


Jq = Annotated[
    str | None,
    typer.Option(
        JQ_OPTION, metavar="EXPR",
        help="Filter the JSON document with a jq expression (implies --json; strings "
        "print bare), e.g. --jq .room_name",
        rich_help_panel=OUTPUT_PANEL, show_default=False,
    ),
]


class JsonCommand(TyperCommand):
    """A command whose ``--json`` takes an optional FIELDS value."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        takes_value = {
            opt for p in self.params
            if isinstance(p, TyperOption) and not (p.is_flag or p.count) for opt in p.opts
        }
        slots = [p.nargs for p in self.params if isinstance(p, TyperArgument)]
        return super().parse_args(ctx, spell_json_values(args, takes_value, slots))
