"""Shell completion without importing Typer (runs on every Tab).

The scripts in ``completions/`` run ``vtctl`` with
``_VTCTL_COMPLETE=complete_bash`` (or ``complete_zsh`` / ``complete_fish``; click's
spelling ``bash_complete`` etc. is accepted too).  ``fast_complete`` answers
from ``completion_tree.json`` (generated from the Typer app by
``scripts/gen_completions.py``) with the same algorithm and output format as
Typer's vendored click (``typer._click.shell_completion`` and
``typer._completion_classes``).  Anything it cannot answer from the tree (a
parameter with a dynamic ``autocompletion``, a missing or outdated tree, a
malformed request) falls back to Typer itself, so answers never differ.
"""

from __future__ import annotations

import os
import sys

from vtctl.entry import COMPLETE_VAR

TYPE_CHECKING = False  # typing costs ~5 ms; completion runs on every Tab
if TYPE_CHECKING:
    from typing import Any

TREE_FILE = "completion_tree.json"
TREE_VERSION = 1
SHELLS = ("bash", "zsh", "fish")


class Fallback(Exception):
    """The fast path cannot answer this request exactly: ask Typer."""


class _UsageError(Exception):
    """The parser's usage errors; resilient parsing stops at them, as click does."""


def complete(instruction: str) -> int:
    """Answer one ``_VTCTL_COMPLETE`` request; returns the exit status."""
    typer_instruction = _typer_instruction(instruction)
    action, _, shell = typer_instruction.partition("_")
    if action == "complete" and shell in SHELLS:
        try:
            out, status = fast_complete(_load_tree(), shell)
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
    from typer._completion_classes import completion_init
    from typer.completion import shell_complete

    from vtctl.cli.app import app

    completion_init()  # the app sets add_completion=False, which skips this
    try:
        return shell_complete(typer.main.get_command(app), {}, "vtctl", COMPLETE_VAR, instruction)
    except SystemExit as exc:  # fish's "is-args" answers with the exit status
        return exc.code if isinstance(exc.code, int) else 0


def _load_tree() -> dict[str, Any]:
    import json

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), TREE_FILE)
    try:
        with open(path, encoding="utf-8") as fh:
            tree: dict[str, Any] = json.load(fh)
    except (OSError, ValueError) as exc:
        raise Fallback from exc
    if tree.get("version") != TREE_VERSION:
        raise Fallback
    return tree


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
    ctx = _resolve_context(tree["root"], args)
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


class _Ctx:
    """The parts of a click ``Context`` that completion looks at."""

    def __init__(self, node: dict[str, Any], parent: _Ctx | None) -> None:
        self.node = node
        self.params: list[dict[str, Any]] = node["params"]
        self.opts: dict[str, Any] = {}  # dest -> parsed value (click's parser state.opts)
        self.prefixes: set[str] = set(parent.prefixes) if parent else set()

    def from_command_line(self, param: dict[str, Any]) -> bool:
        """``ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE``."""
        return self.opts.get(param["name"]) is not None

    def start_of_option(self, value: str) -> bool:
        return bool(value) and value[0] in self.prefixes


def _resolve_context(root: dict[str, Any], args: list[str]) -> _Ctx:
    """click's ``_resolve_context``: follow the subcommands named in ``args``."""
    ctx = _Ctx(root, None)
    rest = _parse_args(ctx, list(args))
    while rest:
        if not ctx.node["group"]:
            break
        name, rest = rest[0], rest[1:]
        sub = next((c for c in ctx.node["commands"] if c["name"] == name), None)
        if sub is None:
            return ctx
        ctx = _Ctx(sub, ctx)
        rest = _parse_args(ctx, rest)
    return ctx


def _split_opt(opt: str) -> tuple[str, str]:
    first = opt[:1]
    if first.isalnum():
        return "", opt
    if opt[1:2] == first:
        return opt[:2], opt[2:]
    return first, opt[1:]


class _ParserOption:
    __slots__ = ("action", "const_none", "dest", "nargs")

    def __init__(self, param: dict[str, Any], const_none: bool) -> None:
        self.dest: str = param["name"]
        self.action: str = param["action"]
        self.nargs: int = param["nargs"]
        self.const_none = const_none

    @property
    def takes_value(self) -> bool:
        return self.action in ("store", "append")


def _parse_args(ctx: _Ctx, args: list[str]) -> list[str]:
    """click's ``_OptionParser.parse_args`` in resilient mode; returns the leftovers.

    Only what completion needs is kept: which parameters got a value from the
    command line, and the arguments left over for subcommands.
    """
    short: dict[str, _ParserOption] = {}
    long: dict[str, _ParserOption] = {}
    prefixes = {"-", "--"}
    for param in ctx.params:
        if param["kind"] != "option":
            continue
        groups = [(param["opts"], param["const_none"])]
        if param["parser_secondary"]:
            groups.append((param["secondary_opts"], False))  # stored as False, not None
        for opts, const_none in groups:
            option = _ParserOption(param, const_none)
            for opt in opts:
                prefix, value = _split_opt(opt)
                if not prefix:
                    raise Fallback  # click raises on such an option; let it
                prefixes.add(prefix[0])
                if len(prefix) == 1 and len(value) == 1:
                    short[opt] = option
                else:
                    long[opt] = option
                    prefixes.add(prefix)

    state = _State(args)
    try:
        _process_args_for_options(ctx, state, short, long, prefixes)
        _process_args_for_args(ctx, state)
    except _UsageError:
        pass
    ctx.prefixes.update(prefixes)
    # a group passes these to its subcommand; for a command they are extra args
    return state.largs


class _State:
    def __init__(self, rargs: list[str]) -> None:
        self.largs: list[str] = []
        self.rargs = rargs


def _store(ctx: _Ctx, option: _ParserOption, value: Any) -> None:
    action = option.action
    if action == "store":
        ctx.opts[option.dest] = value
    elif action == "store_const":
        ctx.opts[option.dest] = None if option.const_none else True
    elif action in ("append", "append_const"):
        ctx.opts.setdefault(option.dest, []).append(value)
    elif action == "count":
        ctx.opts[option.dest] = ctx.opts.get(option.dest, 0) + 1
    else:
        raise Fallback


def _take_value(option: _ParserOption, state: _State) -> Any:
    nargs = option.nargs
    if len(state.rargs) < nargs:
        raise _UsageError
    if nargs == 1:
        return state.rargs.pop(0)
    value = tuple(state.rargs[:nargs])
    del state.rargs[:nargs]
    return value


def _process_args_for_options(
    ctx: _Ctx,
    state: _State,
    short: dict[str, _ParserOption],
    long: dict[str, _ParserOption],
    prefixes: set[str],
) -> None:
    interspersed = ctx.node["interspersed"]
    while state.rargs:
        arg = state.rargs.pop(0)
        if arg == "--":
            return
        if arg[:1] in prefixes and len(arg) > 1:
            _process_opts(ctx, arg, state, short, long, prefixes)
        elif interspersed:
            state.largs.append(arg)
        else:
            state.rargs.insert(0, arg)
            return


def _process_opts(
    ctx: _Ctx,
    arg: str,
    state: _State,
    short: dict[str, _ParserOption],
    long: dict[str, _ParserOption],
    prefixes: set[str],
) -> None:
    explicit_value: str | None
    if "=" in arg:
        long_opt, explicit_value = arg.split("=", 1)
    else:
        long_opt, explicit_value = arg, None
    option = long.get(long_opt)
    if option is not None:
        if option.takes_value:
            if explicit_value is not None:
                state.rargs.insert(0, explicit_value)
            value = _take_value(option, state)
        elif explicit_value is not None:
            raise _UsageError  # "Option does not take a value"
        else:
            value = None
        _store(ctx, option, value)
        return
    # no such long option: try short options, unless the prefix is a long one
    if arg[:2] not in prefixes:
        _match_short_opt(ctx, arg, state, short)
        return
    if not ctx.node["ignore_unknown"]:
        raise _UsageError
    state.largs.append(arg)


def _match_short_opt(
    ctx: _Ctx, arg: str, state: _State, short: dict[str, _ParserOption]
) -> None:
    prefix = arg[0]
    unknown: list[str] = []
    i = 1
    for ch in arg[1:]:
        option = short.get(f"{prefix}{ch}")
        i += 1
        if option is None:
            if ctx.node["ignore_unknown"]:
                unknown.append(ch)
                continue
            raise _UsageError
        stop = False
        if option.takes_value:
            if i < len(arg):
                state.rargs.insert(0, arg[i:])
                stop = True
            value = _take_value(option, state)
        else:
            value = None
        _store(ctx, option, value)
        if stop:
            break
    if ctx.node["ignore_unknown"] and unknown:
        state.largs.append(f"{prefix}{''.join(unknown)}")


def _process_args_for_args(ctx: _Ctx, state: _State) -> None:
    arguments = [p for p in ctx.params if p["kind"] == "argument"]
    values, rest = _unpack_args(state.largs + state.rargs, [p["nargs"] for p in arguments])
    for param, value in zip(arguments, values, strict=True):
        if param["nargs"] > 1:
            assert isinstance(value, tuple)
            holes = sum(1 for x in value if x is None)
            if holes == len(value):
                value = None
            elif holes:
                raise _UsageError
        if param["nargs"] == -1 and value == ():
            value = None
        ctx.opts[param["name"]] = value
    state.largs = rest
    state.rargs = []


def _unpack_args(args: list[str], nargs_spec: list[int]) -> tuple[list[Any], list[str]]:
    """click's ``_unpack_args``."""
    rest = list(args)
    specs = list(nargs_spec)
    rv: list[Any] = []
    spos: int | None = None

    def fetch(c: list[Any]) -> Any:
        if not c:
            return None
        return c.pop(0) if spos is None else c.pop()

    while specs:
        nargs = fetch(specs)
        if nargs == 1:
            rv.append(fetch(rest))
        elif nargs > 1:
            x = [fetch(rest) for _ in range(nargs)]
            if spos is not None:
                x.reverse()
            rv.append(tuple(x))
        elif nargs < 0:
            if spos is not None:
                raise Fallback
            spos = len(rv)
            rv.append(None)
    if spos is not None:
        rv[spos] = tuple(rest)
        rest = []
        rv[spos + 1 :] = reversed(rv[spos + 1 :])
    return rv, rest


Item = tuple[str, list[str] | None]


def _completions(ctx: _Ctx, args: list[str], incomplete: str) -> list[Item]:
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


def _is_incomplete_option(ctx: _Ctx, args: list[str], param: dict[str, Any]) -> bool:
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


def _command_completions(ctx: _Ctx, incomplete: str) -> list[Item]:
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
    raise Fallback  # "dynamic": the parameter's own autocompletion function must run

