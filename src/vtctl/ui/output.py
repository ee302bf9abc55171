"""Choose between the sheet (a table or plain lines), ``--json`` and ``--raw`` for one result.

``--json`` optionally takes a comma-separated field list (``--json
room_name,expires_at``) and ``--jq EXPR`` (implies ``--json``) filters the
document with the ``jq`` library.  Each command declares both flags
(``vtctl.cli.framework.json_flags``, whose parameter callbacks run
:func:`check_json_fields` and :func:`check_jq` while the command line is parsed,
before the command does anything) and builds its ``OutputFormat`` with
:func:`output_format`.
"""

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams
from vtctl.util.jsonargs import ALL_FIELDS, FIELDS_PATTERN
from vtctl.util.record import Record

if TYPE_CHECKING:
    from vtctl.ui.sheet import Sheet


def parse_fields(text: str) -> tuple[str, ...]:
    """``"a,b,a"`` -> ``("a", "b")``, or a usage error for anything else."""
    cleaned = text.strip()
    if not re.fullmatch(FIELDS_PATTERN, cleaned):
        raise UsageError(
            f"--json takes a comma-separated list of field names, not {text!r}",
            hint="e.g. --json room_name,expires_at (or --json alone for every field)",
        )
    return tuple(dict.fromkeys(cleaned.split(",")))


def check_json_fields(text: str, declared: Sequence[str], hint: str | None = None) -> None:
    """A usage error unless ``--json``'s value names only fields in ``declared`` (the
    command's own, as ``--help`` lists them); ``hint`` goes with an unknown one."""
    if text != ALL_FIELDS:
        _check_fields(parse_fields(text), list(declared), hint)


def check_jq(expression: str) -> None:
    """A usage error unless ``expression`` is a jq program (compiled, kept for the output)."""
    if not expression.strip():
        raise UsageError("--jq needs a jq expression, e.g. --jq .room_name")
    _compiled(expression)


def output_format(json: str | None, jq: str | None = None, raw: bool = False) -> "OutputFormat":
    """The ``OutputFormat`` for a command's ``--json [FIELDS]``, ``--jq`` and ``--raw`` values
    (checked already, by :func:`check_json_fields` and :func:`check_jq`)."""
    fields = None if json is None or json == ALL_FIELDS else parse_fields(json)
    return OutputFormat(json=json is not None or jq is not None, raw=raw, fields=fields, jq=jq)


class OutputFormat(Record):
    """How a command prints its data: a table, ``--json [FIELDS]``/``--jq``, or ``--raw``."""

    json: bool = False
    raw: bool = False
    #: ``--json`` field selection; None: the whole document
    fields: tuple[str, ...] | None = None
    #: ``--jq`` expression applied to the (selected) document
    jq: str | None = None

    @property
    def mode(self) -> str:
        return "json" if self.json else "raw" if self.raw else "table"


def select_fields(document: Any, fields: Sequence[str]) -> Any:
    """Keep only ``fields`` (in that order) of an object, or of each object of a list.

    An unknown field is a usage error naming the valid ones.
    """
    if isinstance(document, dict):
        _check_fields(fields, list(document))
        return {name: document[name] for name in fields}
    if isinstance(document, list) and all(isinstance(item, dict) for item in document):
        valid: dict[str, None] = {}
        for item in document:
            valid.update(dict.fromkeys(item))
        if document:
            _check_fields(fields, list(valid))
        return [{name: item.get(name) for name in fields} for item in document]
    raise UsageError("this command's JSON output has no fields to select; use --json alone")


def _check_fields(fields: Sequence[str], valid: list[str], hint: str | None = None) -> None:
    unknown = [name for name in fields if name not in valid]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise UsageError(
            f"unknown JSON field{plural} {', '.join(unknown)}; valid fields: {', '.join(valid)}",
            hint=hint,
        )


@lru_cache(maxsize=4)
def _compiled(expression: str) -> Any:
    """``expression`` compiled by the ``jq`` library (once per run: checked at parse time,
    run at output), without the secrets in the environment its ``$ENV`` and ``env`` read."""
    from vtctl.util.secret_env import secrets_hidden

    try:
        import jq
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise UsageError("--jq needs the jq package", hint="pip install jq") from exc
    with secrets_hidden():
        try:
            return jq.compile(expression)
        except ValueError as exc:
            raise UsageError(f"invalid --jq expression: {_first_line(exc)}") from exc


def apply_jq(document: Any, expression: str) -> list[Any]:
    """Every output of ``expression`` on ``document`` (the ``jq`` library), run
    without the secrets in the environment its ``$ENV`` and ``env`` read."""
    from vtctl.util.secret_env import secrets_hidden

    program = _compiled(expression)
    with secrets_hidden():
        try:
            return list(program.input_value(document).all())
        except ValueError as exc:
            raise UsageError(f"--jq expression failed: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def emit_json(io: IOStreams, fmt: OutputFormat, document: Any) -> None:
    """Print ``document`` as ``--json [FIELDS]`` and ``--jq`` asked."""
    if fmt.fields is not None:
        document = select_fields(document, fmt.fields)
    if fmt.jq is None:
        io.print_json(document)
        return
    for value in apply_jq(document, fmt.jq):  # strings bare, as gh --jq / jq -r
        if isinstance(value, str):
            io.print_raw(value)
        else:
            io.print_json(value)


def emit(
    io: IOStreams,
    fmt: OutputFormat,
    data: Callable[[], Any],
    view: "Callable[[], Sheet]",
    raw: Callable[[], str] | None = None,
) -> None:
    """Print one result in the format the user asked for: ``--json``, ``--raw``, or
    the ``view`` (``ui.sheet``: laid out on a terminal, plain lines in a pipe)."""
    if fmt.json:
        emit_json(io, fmt, data())
    elif fmt.raw and raw is not None:
        io.print_raw(raw())
    else:
        from vtctl.ui.sheet import show

        show(io, view())
