"""Choose between a rich table, ``--json`` and ``--raw`` for one result.

``--json`` optionally takes a comma-separated field list (``--json
room_name,expires_at``).  The vendored click cannot parse an option with an
optional value, so ``vtctl.cli.app.run`` takes the list off the command line
before Typer sees it and hands it over with :func:`requested_fields`; every
``OutputFormat`` built while that command runs picks it up, so commands need
no extra flag to support it.  ``--jq EXPR`` (implies ``--json``) is handed over
the same way and filters the document with the ``jq`` library.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vtctl.domain.errors import UsageError
from vtctl.ui.iostreams import IOStreams

if TYPE_CHECKING:
    from rich.console import RenderableType

#: What ``--json FIELDS`` accepts: lowercase JSON keys, comma-separated.
FIELDS_PATTERN = re.compile(r"^[a-z_]+(,[a-z_]+)*$")

@dataclass(slots=True)
class JsonRequest:
    """What ``--json FIELDS`` / ``--jq`` asked for on this command line."""

    fields: tuple[str, ...] | None = None
    jq: str | None = None
    #: set by ``emit`` once it has applied the request
    used: bool = False


_requested: ContextVar[JsonRequest | None] = ContextVar("vtctl_json_request", default=None)


def parse_fields(text: str) -> tuple[str, ...]:
    """``"a,b,a"`` -> ``("a", "b")``, or a usage error for anything else."""
    cleaned = text.strip()
    if not FIELDS_PATTERN.match(cleaned):
        raise UsageError(
            f"--json takes a comma-separated list of field names, not {text!r}",
            hint="e.g. --json room_name,expires_at (or --json alone for every field)",
        )
    return tuple(dict.fromkeys(cleaned.split(",")))


@contextmanager
def requested_fields(
    fields: tuple[str, ...] | None, jq: str | None = None, io: IOStreams | None = None
) -> Iterator[None]:
    """Make ``fields``/``jq`` the defaults of every ``OutputFormat`` built inside the block.

    With ``io``: a command that succeeds without applying them (one that prints
    its JSON without ``emit``) gets a warning on stderr instead of silence.
    """
    request = JsonRequest(fields, jq) if fields is not None or jq is not None else None
    reset = _requested.set(request)
    try:
        yield
    except SystemExit as exc:
        if exc.code in (0, None):
            _warn_unused(request, io)
        raise
    else:
        _warn_unused(request, io)
    finally:
        _requested.reset(reset)


def _warn_unused(request: JsonRequest | None, io: IOStreams | None) -> None:
    if request is not None and not request.used and io is not None:
        asked = "--jq" if request.jq is not None else "--json FIELDS"
        io.info(f"warning: this command does not support {asked}; it printed its whole output")


def current_fields() -> tuple[str, ...] | None:
    request = _requested.get()
    return request.fields if request else None


def current_jq() -> str | None:
    request = _requested.get()
    return request.jq if request else None


@dataclass(frozen=True, slots=True)
class OutputFormat:
    json: bool = False
    raw: bool = False
    #: ``--json`` field selection; None: the whole document
    fields: tuple[str, ...] | None = field(default_factory=current_fields)
    #: ``--jq`` expression applied to the (selected) document
    jq: str | None = field(default_factory=current_jq)

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


def _check_fields(fields: Sequence[str], valid: list[str]) -> None:
    unknown = [name for name in fields if name not in valid]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        raise UsageError(
            f"unknown JSON field{plural} {', '.join(unknown)}; valid fields: {', '.join(valid)}"
        )


def apply_jq(document: Any, expression: str) -> list[Any]:
    """Every output of ``expression`` on ``document`` (the ``jq`` library), run
    without the secrets in the environment its ``$ENV`` and ``env`` read."""
    from vtctl.util.secret_env import secrets_hidden

    try:
        import jq
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise UsageError("--jq needs the jq package", hint="pip install jq") from exc
    with secrets_hidden():
        try:
            program = jq.compile(expression)
        except ValueError as exc:
            raise UsageError(f"invalid --jq expression: {_first_line(exc)}") from exc
        try:
            return list(program.input_value(document).all())
        except ValueError as exc:
            raise UsageError(f"--jq expression failed: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def emit(
    io: IOStreams,
    fmt: OutputFormat,
    data: Callable[[], Any],
    table: Callable[[], RenderableType],
    raw: Callable[[], str] | None = None,
) -> None:
    """Print one result in the format the user asked for."""
    if fmt.json:
        request = _requested.get()
        if request is not None:
            request.used = True
        document = data()
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
    elif fmt.raw and raw is not None:
        io.print_raw(raw())
    else:
        io.render(table())
