"""How a JSON value is named in error messages, the same everywhere."""

from __future__ import annotations

from typing import Any


def json_kind(value: Any) -> str:
    """``"an object"``, ``"an array"``, ``"a string"``, ``"a boolean"``, ``"an integer"``,
    ``"a number"`` or ``"null"`` (bool before int: ``True`` is an int in Python)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
