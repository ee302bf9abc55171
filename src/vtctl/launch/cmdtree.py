"""The command tree and click's option parser, without importing Typer.

``completion_tree.json`` (generated from the Typer app by
``scripts/gen_completions.py``, and tested to be current) describes every
command and parameter.  This module parses a command line against it with the
same algorithm as the click parser Typer uses, so shell completion
(``vtctl.launch.fastcomplete``) and the help cache agree with the real app.
Whatever the emulation does not cover raises :class:`Fallback`, and the
caller hands the command line to Typer.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs ~5 ms; these paths run on every Tab
if TYPE_CHECKING:
    from typing import Any

TREE_FILE = "completion_tree.json"
TREE_VERSION = 3


class Fallback(Exception):
    """The fast path cannot answer this request exactly: ask Typer."""


class ParseError(Exception):
    """A usage error: resilient parsing stops at it, as click does."""


def load_tree() -> dict[str, Any]:
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


class Ctx:
    """The parts of a click ``Context`` that completion looks at."""

    def __init__(self, node: dict[str, Any], parent: Ctx | None) -> None:
        self.node = node
        self.params: list[dict[str, Any]] = node["params"]
        self.opts: dict[str, Any] = {}  # dest -> parsed value (click's parser state.opts)
        self.prefixes: set[str] = set(parent.prefixes) if parent else set()

    def from_command_line(self, param: dict[str, Any]) -> bool:
        """``ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE``."""
        return self.opts.get(param["name"]) is not None

    def start_of_option(self, value: str) -> bool:
        return bool(value) and value[0] in self.prefixes


def resolve_context(root: dict[str, Any], args: list[str]) -> Ctx:
    """click's ``resolve_context``: follow the subcommands named in ``args``."""
    ctx = Ctx(root, None)
    rest = parse_args(ctx, list(args))
    while rest:
        if not ctx.node["group"]:
            break
        name, rest = rest[0], rest[1:]
        sub = next((c for c in ctx.node["commands"] if c["name"] == name), None)
        if sub is None:
            return ctx
        ctx = Ctx(sub, ctx)
        if sub.get("json_fields"):
            rest = _spell_json_values(sub, rest)
        rest = parse_args(ctx, rest)
    return ctx


def _spell_json_values(node: dict[str, Any], args: list[str]) -> list[str]:
    """What ``cli.framework.json_flags.JsonCommand`` does to its arguments before parsing them."""
    from vtctl.util.jsonargs import spell_json_values

    takes_value = {
        opt for p in node["params"]
        if p["kind"] == "option" and p["action"] in ("store", "append") for opt in p["opts"]
    }
    slots = [p["nargs"] for p in node["params"] if p["kind"] == "argument"]
    return spell_json_values(args, takes_value, slots)


def _split_opt(opt: str) -> tuple[str, str]:
    first = opt[:1]
    if first.isalnum():
        return "", opt
    if opt[1:2] == first:
        return opt[:2], opt[2:]
    return first, opt[1:]


class _ParserOption:
    __slots__ = ("action", "dest", "nargs")

    def __init__(self, param: dict[str, Any]) -> None:
        self.dest: str = param["name"]
        self.action: str = param["action"]
        self.nargs: int = param["nargs"]

    @property
    def takes_value(self) -> bool:
        return self.action in ("store", "append")


def parse_args(ctx: Ctx, args: list[str]) -> list[str]:
    """click's option parser, resilient as for completion; returns the leftovers.

    Values are kept as click's parser leaves them (strings, ``True`` for flags).
    """
    short: dict[str, _ParserOption] = {}
    long: dict[str, _ParserOption] = {}
    prefixes = {"-", "--"}
    for param in ctx.params:
        if param["kind"] != "option":
            continue
        option = _ParserOption(param)
        groups = [param["opts"]]
        if param["parser_secondary"]:
            groups.append(param["secondary_opts"])  # a --no-x flag counts as given too
        for opts in groups:
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
    except ParseError:
        pass
    ctx.prefixes.update(prefixes)
    # a group passes these to its subcommand; for a command they are extra args
    return state.largs


class _State:
    def __init__(self, rargs: list[str]) -> None:
        self.largs: list[str] = []
        self.rargs = rargs


def _store(ctx: Ctx, option: _ParserOption, value: Any) -> None:
    action = option.action
    if action == "store":
        ctx.opts[option.dest] = value
    elif action == "store_const":
        ctx.opts[option.dest] = True  # Typer's flags store a constant that is never None
    elif action in ("append", "append_const"):
        ctx.opts.setdefault(option.dest, []).append(value)
    elif action == "count":
        ctx.opts[option.dest] = ctx.opts.get(option.dest, 0) + 1
    else:
        raise Fallback


def _take_value(option: _ParserOption, state: _State) -> Any:
    nargs = option.nargs
    if len(state.rargs) < nargs:
        raise ParseError
    if nargs == 1:
        return state.rargs.pop(0)
    value = tuple(state.rargs[:nargs])
    del state.rargs[:nargs]
    return value


def _process_args_for_options(
    ctx: Ctx,
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
    ctx: Ctx,
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
            raise ParseError  # "Option does not take a value"
        else:
            value = None
        _store(ctx, option, value)
        return
    # no such long option: try short options, unless the prefix is a long one
    if arg[:2] not in prefixes:
        _match_short_opt(ctx, arg, state, short)
        return
    if not ctx.node["ignore_unknown"]:
        raise ParseError
    state.largs.append(arg)


def _match_short_opt(
    ctx: Ctx, arg: str, state: _State, short: dict[str, _ParserOption]
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
            raise ParseError
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


def _process_args_for_args(ctx: Ctx, state: _State) -> None:
    arguments = [p for p in ctx.params if p["kind"] == "argument"]
    values, rest = _unpack_args(state.largs + state.rargs, [p["nargs"] for p in arguments])
    for param, value in zip(arguments, values, strict=True):
        if param["nargs"] > 1:
            assert isinstance(value, tuple)
            holes = sum(1 for x in value if x is None)
            if holes == len(value):
                value = None
            elif holes:
                raise ParseError
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
