"""``vtctl token`` and ``vtctl refresh`` without importing Typer.

They are what support engineers and CI scripts run most, and building the
Typer app costs more than the command itself (importing Typer and building the
app: ~65 ms before a token is minted).  A *plain* command line
(the command, its ID, its own flags, the backend flags, ``--debug``) is parsed
with click's algorithm over the generated command tree (``vtctl.launch.cmdtree``) and
handed to the same function the Typer command calls
(``vtctl.cli.token_run.token_command``).

Anything else returns None and ``entry.main`` runs Typer, which answers as it
always does: ``--help``, ``--json FIELDS``/``--jq``, usage errors (Typer's
messages), a parameter this module does not know (a new flag falls back until
it is added here), a ``--timeout`` that is not a plain number.
``tests/test_fastrun.py`` checks that both paths give the command the same
values over a corpus of command lines.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~5 ms
if TYPE_CHECKING:
    from typing import Any

    from vtctl.ui.iostreams import IOStreams

FAST_COMMANDS = ("token", "refresh")

#: A converter's answer for a value only Typer should handle (its message, its rules).
_DECLINE = object()


def _text(value: Any) -> Any:
    return value


def _flag(value: Any) -> Any:
    return value is True


def _required_text(value: Any) -> Any:
    return _DECLINE if value is None else value  # Typer reports "Missing argument 'ID'"


def _seconds(value: Any) -> Any:
    if value is None:
        return None
    whole, _, fraction = value.partition(".")
    plain = value.isascii() and whole.isdigit() and (not fraction or fraction.isdigit())
    return float(value) if plain else _DECLINE


#: The parameters of ``token``/``refresh`` and how the parser's string becomes
#: the value Typer would pass.
_OWN = {"appointment_id": _required_text, "as_user": _text, "json": _flag, "raw": _flag}
_BACKEND = {
    "local": _flag, "profile": _text, "store": _text, "base_url": _text,
    "timeout": _seconds, "ca_bundle": _text,
}


def try_run(args: list[str], io: IOStreams | None = None) -> int | None:
    """Run a plain ``token``/``refresh`` command line; None: not plain, run Typer."""
    plan = parse(args)
    if plan is None:
        return None
    command, own, backend_flags, debug = plan
    from vtctl.cli.runtime import exit_status, report_failure, start_debug
    from vtctl.ui.iostreams import IOStreams

    io = io or IOStreams()
    start_debug(io, debug)
    try:
        from vtctl.cli.backend_flags import BackendChoice, settings_from
        from vtctl.cli.token_run import token_command

        backend = BackendChoice(settings_from(**backend_flags))
        token_command(io, **own, backend=backend, refresh=command == "refresh")
    except SystemExit as exc:  # rich's exit on a broken pipe
        return exit_status(exc)
    except (KeyboardInterrupt, Exception) as exc:
        return report_failure(exc, io, debug)
    return 0


def parse(args: list[str]) -> tuple[str, dict[str, Any], dict[str, Any], bool] | None:
    """(command, its own values, backend flag values, --debug), or None when not plain."""
    from vtctl.cli.runtime import split_debug

    args, debug = split_debug(args)
    if not args or args[0] not in FAST_COMMANDS:
        return None
    if any(a.startswith(("--json=", "--jq")) for a in args):
        return None  # field selection is Typer-side argv handling (cli.app)
    from vtctl.launch.cmdtree import Fallback, ParseError, load_tree, parse_command_line

    try:
        chain = parse_command_line(load_tree()["root"], args)
    except (Fallback, ParseError, LookupError, TypeError, ValueError, AttributeError):
        return None
    root, leaf = chain[0], chain[-1]
    if len(chain) != 2 or any(value is not None for value in root.opts.values()):
        return None  # --version, --help before the command
    values = dict(leaf.opts)
    if values.pop("help", None) is not None:
        return None
    names = {param["name"] for param in leaf.params} - {"help"}
    if names != _OWN.keys() | _BACKEND.keys():
        return None
    own = {name: convert(values.get(name)) for name, convert in _OWN.items()}
    backend = {name: convert(values.get(name)) for name, convert in _BACKEND.items()}
    if any(value is _DECLINE for value in (*own.values(), *backend.values())):
        return None
    return args[0], own, backend, debug
