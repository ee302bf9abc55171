"""``vtctl token`` and ``vtctl refresh`` without importing Typer.

They are what support engineers and CI scripts run most, and importing Typer
and building the app costs more than the command itself (35-60 ms more per
run; benchmarks/RESULTS.md).  Everything here is derived from Typer's
declarations: ``scripts/gen_completions.py`` records in the command tree each
parameter's type, environment variables and default (and marks what it cannot
reproduce: a callback, a prompt, another type...); this module parses the
command line with click's algorithm over that tree (``vtctl.launch.cmdtree``),
resolves every value as click would (command line, then environment, then
default) and hands them, by the declared names, to the function the Typer
command calls (``vtctl.cli.token_run.token_command``).

Anything else returns None and ``entry.main`` runs Typer, which answers as it
always does: ``--help``, usage errors (Typer's messages), a parameter the tree
marks as not reproducible, a number that is not plain digits.
``tests/test_fastrun.py`` checks that both paths give the command the same
values over a corpus of command lines, environment variables included.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs ~5 ms
if TYPE_CHECKING:
    from typing import Any

    from vtctl.ui.iostreams import IOStreams

FAST_COMMANDS = ("token", "refresh")

#: A conversion's answer for a value only Typer should handle (its message, its rules).
_DECLINE = object()


def try_run(args: list[str], io: IOStreams | None = None) -> int | None:
    """Run a plain ``token``/``refresh`` command line; None: not plain, run Typer."""
    plan = parse(args)
    if plan is None:
        return None
    command, values, debug = plan
    from vtctl.cli.runtime import report_failure, start_debug
    from vtctl.ui.iostreams import IOStreams

    io = io or IOStreams()
    start_debug(io, debug)
    try:
        from vtctl.cli.token_run import run_from_values

        run_from_values(io, values, refresh=command == "refresh")
    except (KeyboardInterrupt, Exception) as exc:
        return report_failure(exc, io, debug)
    return 0


def parse(args: list[str]) -> tuple[str, dict[str, Any], bool] | None:
    """(command, every parameter's value by name, --debug), or None when not plain."""
    from vtctl.cli.runtime import split_debug

    args, debug = split_debug(args)
    if not args or args[0] not in FAST_COMMANDS:
        return None
    from vtctl.launch.cmdtree import Fallback, ParseError, load_tree, parse_command_line

    try:
        chain = parse_command_line(load_tree()["root"], args)
    except (Fallback, ParseError, LookupError, TypeError, ValueError, AttributeError):
        return None
    root, leaf = chain[0], chain[-1]
    if len(chain) != 2 or any(value is not None for value in root.opts.values()):
        return None  # --version, --help before the command
    if leaf.opts.get("help") is not None:
        return None
    values: dict[str, Any] = {}
    for param in leaf.params:
        if param["name"] == "help":
            continue
        rule = param.get("value")
        if rule is None:
            return None  # the generator could not reproduce this parameter
        value = _value(rule, leaf.opts.get(param["name"]))
        if value is _DECLINE:
            return None
        values[param["name"]] = value
    return args[0], values, debug


def _value(rule: dict[str, Any], given: Any) -> Any:
    """click's order: the command line, then the environment, then the default."""
    if rule["type"] == "flag":
        return True if given is not None else rule["default"]
    if given is None:
        given = next((os.environ[n] for n in rule["envvar"] if os.environ.get(n)), None)
    if given is None:
        return _DECLINE if rule["required"] else rule["default"]  # Typer: "Missing argument"
    if rule["type"] == "str":
        return given
    whole, _, fraction = given.partition(".")
    plain = given.isascii() and whole.isdigit() and (not fraction or fraction.isdigit())
    if rule["type"] == "float" and plain:
        return float(given)
    if rule["type"] == "int" and plain and not fraction and not given.endswith("."):
        return int(given)
    return _DECLINE  # Typer reports the bad number its own way
