#!/usr/bin/env python3
"""Generate vtctl's shell completion files from the Typer app.

Writes, from every command ``vtctl.cli.framework.commands.MODULES`` lists:

- ``completions/vtctl.bash``, ``completions/_vtctl`` (zsh), ``completions/vtctl.fish``,
  ``completions/vtctl.ps1``: the scripts a shell sources, exactly what
  ``vtctl completion SHELL`` prints (``vtctl.cli.completion.completion_files``).
  They speak Typer's completion protocol (``_VTCTL_COMPLETE=complete_bash`` +
  ``COMP_WORDS``/``COMP_CWORD``; ``complete_zsh``/``complete_fish`` + ``_TYPER_COMPLETE_ARGS``).
- ``src/vtctl/launch/completion_tree.json``: the command/option tree that the fast
  path in ``vtctl.launch.fastcomplete`` answers those requests from without importing Typer
  (and the help cache recognises a pure help request with).

Usage::

    .venv/bin/python scripts/gen_completions.py          # rewrite the files
    .venv/bin/python scripts/gen_completions.py --check  # exit 1 if any is stale

``tests/test_completions.py`` regenerates everything in memory and fails when
a committed file differs, so run this after adding or changing a command.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vtctl.cli.completion import HEADER, completion_files
from vtctl.launch.cmdtree import TREE_FILE, TREE_VERSION
from vtctl.launch.fastcomplete import zsh_escape
from vtctl.util.prog import COMPLETE_VAR, PROG

ROOT = Path(__file__).resolve().parent.parent
TREE_PATH = f"src/vtctl/launch/{TREE_FILE}"

#: a width no help line reaches: Typer's completion help is never wrapped
WIDE = "100000"


@contextmanager
def wide_help_text() -> Iterator[None]:
    """Render help text as Typer does, but never wrapped at the terminal width.

    Typer passes completion help through rich at the terminal's width, so a
    long help line gets a newline that breaks fish's one-line-per-candidate
    format.  The tree stores the unwrapped text; tests compare under this too.
    Environment only, as documented: rich reads ``COLUMNS`` each time Typer makes
    its console (Typer fixes the width only when ``TERMINAL_WIDTH`` was set as it
    loaded, which ``main`` does for this script's own process).
    """
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDE
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def click_command() -> Any:
    """The click command Typer builds for vtctl, with deterministic help options."""
    import typer.main

    from vtctl.cli.framework.app import build_app

    cli = typer.main.get_command(build_app())  # fresh: the declarations as they are now
    pin_help_options(cli)
    return cli


def pin_help_options(cli: Any) -> None:
    """Fix the order of ``-h``/``--help`` on every command.

    Click builds the help option's names from a ``set``, so their order changes
    with Python's string hash seed; use the order the app declares instead.
    """

    def walk(command: Any, ctx: Any) -> None:
        option = command.get_help_option(ctx)
        if option is not None:
            declared = list(ctx.help_option_names)
            rank = {name: i for i, name in enumerate(declared)}
            option.opts = sorted(option.opts, key=lambda o: rank.get(o, len(rank)))
        for name, sub in _subcommands(command, ctx):
            walk(sub, sub.make_context(name, [], parent=ctx, resilient_parsing=True))

    walk(cli, cli.make_context(PROG, [], resilient_parsing=True))


def _subcommands(command: Any, ctx: Any) -> list[tuple[str, Any]]:
    from typer.core import TyperGroup

    if not isinstance(command, TyperGroup):
        return []
    found = []
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None:
            found.append((name, sub))
    return found




def _help_pair(text: str | None) -> list[str] | None:
    """[zsh text, fish text] as Typer's completion classes render them (rich markup removed)."""
    from typer.rich_utils import rich_render_text

    if not text:
        return None
    return [rich_render_text(zsh_escape(text)), rich_render_text(re.sub(r"\s", " ", text))]


#: Values a parameter's completion is asked for when the generator classifies it.
PROBES = ("", "a", "zz", "-", "x=y", "1")


def _complete(param: Any, ctx: Any) -> dict[str, Any]:
    """What ``param.shell_complete`` answers, as data the fast path can replay.

    Classified from what the public ``shell_complete`` returns, then checked:
    the answers must be the parameter type's own (else a completion function
    is attached) and the fast path's rule must give the same answers for every
    probe (and every prefix of a choice, in both cases).  Anything else is
    "dynamic": the fast path asks Typer.
    """
    from vtctl.launch.fastcomplete import _param_completions

    def answer(incomplete: str) -> list[tuple[str, str]]:
        return [(item.value, item.type) for item in param.shell_complete(ctx, incomplete)]

    everything = answer("")
    values = [value for value, kind in everything if kind == "plain"]
    probes = {*PROBES, *(v[:n] for v in values for n in range(1, len(v) + 1))}
    probes |= {p.upper() for p in probes} | {p.swapcase() for p in probes}
    ptype = getattr(param, "type", None)  # click's ParamType (Typer 0.29 has none)
    if ptype is None:  # pragma: no cover - pyproject pins Typer below 0.29
        raise SystemExit(f"{param.name}: no click type to tell a completion function from")
    if any(answer(probe) != [(item.value, item.type) for item in
                             ptype.shell_complete(ctx, param, probe)] for probe in probes):
        return _known_function(answer, probes)  # not its type's answers: a function
    candidates: list[dict[str, Any]] = [{"type": "none"}, {"type": "file"}]
    if values and len(values) == len(everything):
        candidates += [{"type": "choices", "choices": values, "case_sensitive": sensitive}
                       for sensitive in (True, False)]
    for how in candidates:
        if all(
            [value for value, _ in _param_completions({"complete": how}, probe)]
            == [value for value, _ in answer(probe)]
            for probe in sorted(probes)
        ):
            return how
    return {"type": "dynamic"}


def _known_function(answer: Any, probes: set[str]) -> dict[str, Any]:
    """A completion function the fast path can run itself (profile names, ``--json``
    field names), else "dynamic"."""
    from vtctl.config.profiles import complete_profile
    from vtctl.util.jsonargs import complete_fields

    if all(answer(probe) == [(name, "plain") for name in complete_profile(probe)]
           for probe in sorted(probes)):
        return {"type": "profiles"}
    fields = tuple(value for value, _ in answer(""))
    field_probes = {*probes, *(f"{a},{b[:n]}" for a in fields[:2] for b in fields
                               for n in range(len(b) + 1))}
    if fields and all(answer(probe) == [(v, "plain") for v in complete_fields(fields, probe)]
                      for probe in sorted(field_probes)):
        return {"type": "fields", "fields": list(fields)}
    return {"type": "dynamic"}


def _param(param: Any, ctx: Any) -> dict[str, Any]:
    from typer.core import TyperArgument, TyperOption

    if isinstance(param, TyperOption):
        kind = "option"
    elif isinstance(param, TyperArgument):
        kind = "argument"
    else:  # pragma: no cover - Typer only builds these two
        raise SystemExit(f"unsupported parameter class {type(param).__name__}")

    out: dict[str, Any] = {"kind": kind, "name": param.name, "nargs": param.nargs}
    if kind == "option":
        # what TyperOption.add_to_parser tells the parser
        action = "append" if param.multiple else "count" if param.count else "store"
        two_way = False
        if param.is_flag:
            action += "_const"
            two_way = bool(param.is_bool_flag and param.secondary_opts)
        out.update(
            opts=list(param.opts),
            # only a two-way bool flag registers its --no-x names with the parser
            secondary_opts=list(param.secondary_opts),
            parser_secondary=two_way,
            action=action,
            multiple=bool(param.multiple),
            hidden=bool(param.hidden),
            help=_help_pair(param.help),
        )
    out["complete"] = _complete(param, ctx)
    return out


def _node(command: Any, ctx: Any, name: str) -> dict[str, Any]:
    from typer.core import TyperGroup

    from vtctl.cli.framework.json_flags import JsonCommand

    if ctx.token_normalize_func is not None:  # pragma: no cover - not used by vtctl
        raise SystemExit(f"{name}: token_normalize_func is not supported by the fast path")
    node: dict[str, Any] = {
        "name": name,
        "group": isinstance(command, TyperGroup),
        "interspersed": bool(ctx.allow_interspersed_args),
        "ignore_unknown": bool(ctx.ignore_unknown_options),
        "params": [_param(p, ctx) for p in command.get_params(ctx)],
    }
    if isinstance(command, JsonCommand):  # --json [FIELDS]: see vtctl.util.jsonargs
        node["json_fields"] = True
    if node["group"]:
        node["commands"] = [
            {
                "hidden": bool(sub.hidden),
                "help": _help_pair(sub.get_short_help_str()),
                **_node(sub, sub.make_context(sub_name, [], parent=ctx, resilient_parsing=True),
                        sub_name),
            }
            for sub_name, sub in _subcommands(command, ctx)
        ]
    return node


def build_tree() -> dict[str, Any]:
    """The precomputed tree ``vtctl.launch.fastcomplete`` completes from."""
    cli = click_command()
    with wide_help_text():
        root = _node(cli, cli.make_context(PROG, [], resilient_parsing=True), PROG)
    return {
        "version": TREE_VERSION,
        "comment": HEADER,
        "prog": PROG,
        "complete_var": COMPLETE_VAR,
        "root": root,
    }


def render_tree(tree: dict[str, Any]) -> str:
    return json.dumps(tree, indent=1, ensure_ascii=False) + "\n"


def render_all() -> dict[str, str]:
    """Every generated file, by path relative to the repository root."""
    files = completion_files()
    files[TREE_PATH] = render_tree(build_tree())
    return files


def stale_files(root: Path = ROOT) -> list[str]:
    return [
        rel for rel, text in render_all().items()
        if not (root / rel).is_file() or (root / rel).read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    os.environ["TERMINAL_WIDTH"] = WIDE  # read by Typer as it loads: never wrap here
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1)")
    opts = parser.parse_args(argv)
    if opts.check:
        stale = stale_files()
        for rel in stale:
            print(f"stale: {rel} (run scripts/gen_completions.py)", file=sys.stderr)
        return 1 if stale else 0
    for rel, text in render_all().items():
        path = ROOT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
