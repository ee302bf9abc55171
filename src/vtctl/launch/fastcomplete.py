"""Shell completion without importing Typer (runs on every Tab).

The scripts in ``completions/`` run ``vtctl`` with
``_VTCTL_COMPLETE=complete_bash`` (or ``complete_zsh`` / ``complete_fish``; click's
spelling ``bash_complete`` etc. is accepted too).  ``fast_complete`` answers
from ``completion_tree.json`` (parsed by ``vtctl.launch.cmdtree``) with the same
algorithm and output format as Typer's completion (click's ``shell_completion``
and Typer's completion classes).  Anything it cannot answer from the tree (a
parameter with another dynamic ``autocompletion``, a missing or outdated tree, a
malformed request) falls back to Typer itself, so answers never differ.
Profile names and ``--json`` field names are answered here.
"""

from __future__ import annotations

import os
import sys

from vtctl.launch.cmdtree import Ctx, Fallback, load_tree, resolve_context
from vtctl.util.prog import COMPLETE_VAR, PROG

TYPE_CHECKING = False  # typing costs ~5 ms; completion runs on every Tab
if TYPE_CHECKING:
    from typing import Any

SHELLS = ("bash", "zsh", "fish")


def complete(instruction: str) -> int:
    """Answer one ``_VTCTL_COMPLETE`` request; returns the exit status."""
    typer_instruction = _typer_instruction(instruction)
    action, _, shell = typer_instruction.partition("_")
    if action == "complete" and shell in SHELLS:
        try:
            out, status = fast_complete(load_tree(), shell)
        except (Fallback, LookupError, TypeError, ValueError, AttributeError):
            pass  # includes a tree from another version: never a traceback on Tab
        else:
            if out is not None:
                sys.stdout.write(out + "\n")
                sys.stdout.flush()
            return status
    return _typer_complete(typer_instruction)


def _typer_instruction(instruction: str) -> str:
    """Typer spells instructions ``complete_bash``; click spells them ``bash_complete``."""
    first, sep, second = instruction.partition("_")
    if sep and first in SHELLS and second in ("complete", "source"):
        return f"{second}_{first}"
    return instruction


def _typer_complete(instruction: str) -> int:
    """The slow path: Typer's own completion over the full app."""
    import typer.main
    from typer.completion import get_completion_inspect_parameters, shell_complete

    from vtctl.cli.framework.app import app

    # registers Typer's completion classes, as an app with add_completion=True does
    # when it builds its --install-completion option (vtctl has none)
    get_completion_inspect_parameters()
    try:
        return shell_complete(typer.main.get_command(app), {}, PROG, COMPLETE_VAR, instruction)
    except SystemExit as exc:  # fish's "is-args" answers with the exit status
        return exc.code if isinstance(exc.code, int) else 0


def _split_arg_string(string: str) -> list[str]:
    """click's ``split_arg_string``: shlex, keeping an unfinished last token."""
    import shlex

    lex = shlex.shlex(string, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        for token in lex:
            out.append(token)
    except ValueError:
        out.append(lex.token)
    return out


def _completion_args(shell: str) -> tuple[list[str], str]:
    if shell == "bash":
        try:
            cwords = _split_arg_string(os.environ["COMP_WORDS"])
            cword = int(os.environ["COMP_CWORD"])
        except (KeyError, ValueError) as exc:  # Typer reports these its own way
            raise Fallback from exc
        args = cwords[1:cword]
        try:
            incomplete = cwords[cword]
        except IndexError:
            incomplete = ""
        return args, incomplete
    completion_args = os.getenv("_TYPER_COMPLETE_ARGS", "")
    args = _split_arg_string(completion_args)[1:]
    if args and not completion_args.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


def fast_complete(tree: dict[str, Any], shell: str) -> tuple[str | None, int]:
    """(text for stdout or None, exit status), as Typer's completion class gives them."""
    args, incomplete = _completion_args(shell)
    ctx = resolve_context(tree["root"], args)
    items = _completions(ctx, args, incomplete)
    if shell == "bash":
        return "\n".join(value for value, _ in items), 0
    if shell == "zsh":
        if not items:
            return "_files", 0
        lines = [
            f'"{zsh_escape(value)}":"{helps[0]}"' if helps else f'"{zsh_escape(value)}"'
            for value, helps in items
        ]
        joined = "\n".join(lines)
        return f"_arguments '*: :(({joined}))'", 0
    lines = [f"{value}\t{helps[1]}" if helps else value for value, helps in items]
    action = os.getenv("_TYPER_COMPLETE_FISH_ACTION", "")
    if action == "is-args":
        return None, 0 if lines else 1
    if action == "get-args" and lines:
        return "\n".join(lines), 0
    return "", 0


def zsh_escape(text: str) -> str:
    return (
        text.replace('"', '""')
        .replace("'", "''")
        .replace("$", "\\$")
        .replace("`", "\\`")
        .replace(":", r"\\:")
    )


Item = tuple[str, list[str] | None]


def _completions(ctx: Ctx, args: list[str], incomplete: str) -> list[Item]:
    """click's ``_resolve_incomplete`` + the chosen object's ``shell_complete``."""
    args = list(args)
    if incomplete == "=":
        incomplete = ""
    elif "=" in incomplete and ctx.start_of_option(incomplete):
        name, _, incomplete = incomplete.partition("=")
        args.append(name)

    if "--" not in args and ctx.start_of_option(incomplete):
        return _command_completions(ctx, incomplete)

    for param in ctx.params:
        if _is_incomplete_option(ctx, args, param):
            return _param_completions(param, incomplete)
    for param in ctx.params:
        if param["kind"] == "argument" and (
            param["nargs"] == -1 or not ctx.from_command_line(param)
        ):
            return _param_completions(param, incomplete)
    return _command_completions(ctx, incomplete)


def _is_incomplete_option(ctx: Ctx, args: list[str], param: dict[str, Any]) -> bool:
    if param["kind"] != "option" or not param["action"].startswith(("store", "append")):
        return False
    if param["action"].endswith("_const"):
        return False
    last_option = None
    for index, arg in enumerate(reversed(args)):
        if index + 1 > param["nargs"]:
            break
        if ctx.start_of_option(arg):
            last_option = arg
            break
    return last_option is not None and last_option in param["opts"]


def _command_completions(ctx: Ctx, incomplete: str) -> list[Item]:
    items: list[Item] = []
    if ctx.node["group"]:
        items.extend(
            (cmd["name"], cmd["help"])
            for cmd in ctx.node["commands"]
            if cmd["name"].startswith(incomplete) and not cmd["hidden"]
        )
    if incomplete and not incomplete[0].isalnum():
        for param in ctx.params:
            if param["kind"] != "option" or param["hidden"]:
                continue
            if not param["multiple"] and ctx.from_command_line(param):
                continue
            items.extend(
                (name, param["help"])
                for name in [*param["opts"], *param["secondary_opts"]]
                if name.startswith(incomplete)
            )
    return items


def _param_completions(param: dict[str, Any], incomplete: str) -> list[Item]:
    how = param["complete"]
    kind = how["type"]
    if kind == "none":
        return []
    if kind == "file":
        return [(incomplete, None)]
    if kind == "choices":
        choices: list[str] = how["choices"]
        if how["case_sensitive"]:
            return [(c, None) for c in choices if c.startswith(incomplete)]
        lowered = incomplete.lower()
        return [(c, None) for c in choices if c.lower().startswith(lowered)]
    if kind == "profiles":  # profile names from the config file, as Typer's function gives
        from vtctl.config.profiles import complete_profile

        return [(name, None) for name in complete_profile(incomplete)]
    if kind == "fields":  # --json's field names, as json_flags' completion function gives
        from vtctl.util.jsonargs import complete_fields

        return [(name, None) for name in complete_fields(tuple(how["fields"]), incomplete)]
    raise Fallback  # "dynamic": the parameter's own autocompletion function must run

