"""``--json [FIELDS]`` on a command line, for a parser without optional values.

Shared by the Typer command class (``vtctl.cli.framework.json_flags.JsonCommand``) and
shell completion (``vtctl.launch.cmdtree`` reads a command line the same way,
``vtctl.launch.fastcomplete`` completes field names as Typer's path does);
dependency-free because completion runs on every Tab.
"""

from __future__ import annotations

import re

JSON_OPTION = "--json"
JQ_OPTION = "--jq"
#: What ``--json FIELDS`` accepts: lowercase JSON keys, comma-separated (compiled by
#: ``re`` on first use, not at import: a bare ``--json`` never needs it)
FIELDS_PATTERN = r"[a-z_]+(,[a-z_]+)*"
#: The value of a bare ``--json``: every field (a NUL, which no argv word can hold).
ALL_FIELDS = "\0"


def spell_json_values(args: list[str], takes_value: set[str], slots: list[int]) -> list[str]:
    """``--json`` -> ``--json=<every field>``; ``--json a,b`` -> ``--json=a,b``.

    ``takes_value``: the command's options that take a value (besides ``--json``);
    ``slots``: the ``nargs`` of its positional arguments (-1: one or more).  A word
    after ``--json`` is a field list only if it looks like ``a,b_c`` and the
    positional arguments are all given without it (``appointment import --json
    data`` keeps ``data``; ``appointment pull 47 --json store`` selects ``store``).
    A ``--jq`` with nothing after it becomes ``--jq=`` (the command says what it needs).
    """
    end = args.index("--") if "--" in args else len(args)
    head, tail = args[:end], args[end:]
    positional = _positional_indexes(head, takes_value - {JSON_OPTION})
    needed = sum(n for n in slots if n > 0) + (1 if -1 in slots else 0)
    out: list[str] = []
    skip = False
    for i, token in enumerate(head):
        if skip:
            skip = False
            continue
        if token == JSON_OPTION:
            word = head[i + 1] if i + 1 < len(head) else None
            if (
                word is not None and i + 1 in positional and re.fullmatch(FIELDS_PATTERN, word)
                and len(positional) - 1 >= needed
            ):
                out.append(f"{JSON_OPTION}={word}")
                positional.remove(i + 1)
                skip = True
            else:
                out.append(f"{JSON_OPTION}={ALL_FIELDS}")
        elif token == JQ_OPTION and i + 1 == len(head):
            out.append(f"{JQ_OPTION}=")
        else:
            out.append(token)
    return out + tail


def complete_fields(fields: tuple[str, ...], incomplete: str) -> list[str]:
    """Tab after ``--json``: the fields starting with the last comma-separated word,
    each after the words already typed (``room_name,ex`` -> ``room_name,expires_at``),
    as gh completes ``--json``; a field already chosen is not offered again."""
    typed, _, last = incomplete.rpartition(",")
    chosen = set(typed.split(",")) if typed else set()
    prefix = f"{typed}," if typed else ""
    return [prefix + name for name in fields if name.startswith(last) and name not in chosen]


def _positional_indexes(args: list[str], takes_value: set[str]) -> list[int]:
    found: list[int] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token.startswith("-") and token != "-":
            i += 2 if token in takes_value else 1
            continue
        found.append(i)
        i += 1
    return found
