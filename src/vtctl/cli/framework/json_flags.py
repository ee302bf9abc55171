"""``--json [FIELDS]`` and ``--jq EXPR``: one declaration for every command that prints JSON.

As gh's ``AddJSONFlags``: a command declares ``json: Annotated[str | None,
json_option(Model.json_fields())] = None`` and ``jq: Jq = None`` with the fields
of the data it prints (declared once, on the model its ``to_json`` builds the
document from), so ``--help`` lists exactly those fields, its example names two
of them, and Tab completes them (``a,b<TAB>`` too, as gh does). The command turns
the values into an ``OutputFormat`` with :func:`vtctl.ui.output.output_format`.

Both flags are checked here, once for every command, by click parameter callbacks
that run while the command line is parsed: a FIELDS name the command did not
declare, or a jq expression that does not compile, is a usage error (exit 2)
before the command's body runs, so nothing is minted, recorded or sent.

Why a command class: Typer has no option with an optional value (it dropped
click's ``is_flag=False, flag_value=...``, fastapi/typer#987, and 0.28's parser
has none), so ``JsonCommand.parse_args`` spells a bare ``--json`` and
``--json a,b`` the way its parser reads them, from the command's own parameters
(``vtctl.util.jsonargs``, which the fast Tab completion uses too). Every command
with ``--json`` is a ``JsonCommand`` (``tests/test_json_contract.py`` walks the tree).

No ``from __future__ import annotations``: Typer reads each callback's annotations
when it builds the command, at every start, and would compile each string again.
"""

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperOption

from vtctl.cli.framework.options import OUTPUT_PANEL
from vtctl.util.jsonargs import JQ_OPTION, JSON_OPTION, complete_fields, spell_json_values

#: what ``--help`` says before the field list (tests read the list after it)
FIELDS_LABEL = "Fields: "


def json_example(fields: Sequence[str]) -> str:
    """The ``--json a,b`` example of a command's help: its own first two fields."""
    return f"{JSON_OPTION} {','.join(fields[:2])}"


def json_option(fields: Sequence[str], note: str = "", unknown_hint: str | None = None
                ) -> Any:
    """The ``--json [FIELDS]`` declaration of a command whose document has ``fields``
    (an object's keys, or each record's for a list). ``note``: a sentence after them;
    ``unknown_hint``: what the error of a name not among them adds."""
    listed = ", ".join(fields)
    return typer.Option(
        JSON_OPTION, metavar="[FIELDS]",
        help=f"Print one JSON document. With FIELDS (e.g. {json_example(fields)}) only "
        f"those keys, in that order. {FIELDS_LABEL}{listed}.{' ' + note if note else ''}",
        rich_help_panel=OUTPUT_PANEL, show_default=False,
        autocompletion=_completer(tuple(fields)),
        callback=_fields_check(tuple(fields), unknown_hint),
    )


def _completer(fields: tuple[str, ...]) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        return complete_fields(fields, incomplete)

    return complete


def _fields_check(fields: tuple[str, ...], hint: str | None
                  ) -> Callable[[typer.Context, str | None], str | None]:
    def check(ctx: typer.Context, value: str | None) -> str | None:
        if value is not None and not ctx.resilient_parsing:  # not while completing
            from vtctl.ui.output import check_json_fields

            check_json_fields(value, fields, hint)
        return value

    return check


def _jq_check(ctx: typer.Context, value: str | None) -> str | None:
    if value is not None and not ctx.resilient_parsing:  # jq is imported only for --jq
        from vtctl.ui.output import check_jq

        check_jq(value)
    return value


Jq = Annotated[
    str | None,
    typer.Option(
        JQ_OPTION, metavar="EXPR",
        help="Filter the JSON document with a jq expression (implies --json; strings "
        "print bare), e.g. --jq keys",
        rich_help_panel=OUTPUT_PANEL, show_default=False, callback=_jq_check,
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
