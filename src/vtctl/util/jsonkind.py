"""How a JSON value is named in error messages, the same everywhere."""

from __future__ import annotations

from typing import Any

#: in this order: bool before int (``True`` is an int in Python)
_KINDS: tuple[tuple[type, str], ...] = (
    (type(None), "null"), (bool, "a boolean"), (int, "an integer"), (float, "a number"),
    (str, "a string"), (list, "an array"), (dict, "an object"),
)


def json_kind(value: Any) -> str:
    """``"an object"``, ``"an array"``, ``"a string"``, ``"a boolean"``, ``"an integer"``,
    ``"a number"`` or ``"null"``; a Python type's name for anything else."""
    for kind, name in _KINDS:
        if isinstance(value, kind):
            return name
    return type(value).__name__
