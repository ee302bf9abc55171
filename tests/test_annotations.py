"""Every annotation in the mutation-tested modules is a type that resolves.

With ``from __future__ import annotations`` they are strings nothing evaluates
at run time, so a broken one (``str + None``) would only show up in mypy or in
a tool that reads hints (Typer, dataclasses, ``typing.get_type_hints``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import typing
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

MODULES = ["vtctl.domain.audit", "vtctl.domain.audit_verdict", "vtctl.domain.rules",
           "vtctl.domain.errors", "vtctl.local.engine", "vtctl.remote.parse", "vtctl.server.auth",
           "vtctl.cli.framework.runtime", "vtctl.util.text"]


def annotated(module: ModuleType) -> Iterator[Any]:
    """The module's own functions, classes and methods."""
    for obj in vars(module).values():
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj):
            yield obj
            yield from (f for f in vars(obj).values() if inspect.isfunction(f))
        elif callable(obj):
            yield obj


def checking_names(module: ModuleType) -> dict[str, Any]:
    """What the module imports under ``if TYPE_CHECKING:``: names of its annotations that
    it does not import at run time (a record type only some of its functions return)."""
    names: dict[str, Any] = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                source = importlib.import_module(statement.module)
                for alias in statement.names:
                    names[alias.asname or alias.name] = getattr(source, alias.name)
    return names


@pytest.mark.parametrize("name", MODULES)
def test_annotations_resolve(name: str) -> None:
    module = importlib.import_module(name)
    names = checking_names(module)
    resolved = [typing.get_type_hints(obj, localns=names) for obj in annotated(module)]
    assert resolved and all(isinstance(hints, dict) for hints in resolved)
