"""Every annotation in the mutation-tested modules is a type that resolves.

With ``from __future__ import annotations`` they are strings nothing evaluates
at run time, so a broken one (``str + None``) would only show up in mypy or in
a tool that reads hints (Typer, dataclasses, ``typing.get_type_hints``).
"""

from __future__ import annotations

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


@pytest.mark.parametrize("name", MODULES)
def test_annotations_resolve(name: str) -> None:
    module = importlib.import_module(name)
    resolved = [typing.get_type_hints(obj) for obj in annotated(module)]
    assert resolved and all(isinstance(hints, dict) for hints in resolved)
