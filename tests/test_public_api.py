"""Public APIs of our dependencies only, in ``src/``, ``scripts/`` and ``benchmarks/``.

A private module or name (``typer._click``, ``_sha256``, ``sys.modules["httpx._main"]``,
``keyring.core._keyring_backend``...) can change in any release, and so can a class
a dependency does not document for subclassing.  Checked from the source:

* an import of a private module (``from typer import _click``);
* a dependency's private dotted name in a string (``sys.modules["httpx._main"]``,
  ``import_module("typer._click")``; docstrings are prose and are not read);
* ``getattr``/``setattr``/``hasattr``/``delattr`` of a private name on anything
  but ``self`` or ``cls``;
* a private attribute reached from an imported dependency
  (``keyring.core._keyring_backend = None``);
* a class whose base is a dependency's: reached through a public path, and either
  documented for subclassing (``DOCUMENTED_BASES``), an exception, or an internal
  class whose package is pinned to the tested minor version in pyproject.toml
  (``PINNED_BASES``); and its methods touch none of the base's private attributes
  (``self._test_only_last_response``).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.metadata
import importlib.util
import inspect
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("src/vtctl/**/*.py"), *ROOT.glob("scripts/*.py"),
                *ROOT.glob("benchmarks/*.py")])

#: documented underscore names of the standard library
PUBLIC_UNDERSCORED = {"os._exit", "sys._getframe"}

#: dependency classes documented as extension points (where, in a few words)
DOCUMENTED_BASES = {
    "twilio.http.HttpClient": "twilio-python: custom HTTP client (Client(http_client=...))",
    "httpx.BaseTransport": "httpx: custom transports",
    "httpx.SyncByteStream": "httpx: custom transports' streams",
    "httpcore.NetworkBackend": "httpcore: network backends",
    "httpcore.NetworkStream": "httpcore: network backends",
    "typer.core.TyperCommand": "Typer: a command's cls=",
    "starlette.convertors.Convertor": "Starlette: custom path convertors",
    "keyring.backend.KeyringBackend": "keyring: third-party backends",
    "rich.console.Console": "rich: a public class; render_str is in its API reference",
}

#: internal classes subclassed on purpose: their package is pinned to the tested minor
#: version in pyproject.toml, the reason beside the pin (DEVELOPING.md says which)
PINNED_BASES = {
    "uvicorn.protocols.http.httptools_impl.HttpToolsProtocol": "uvicorn",
}

_DOTTED = re.compile(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+\b")


def _private(segment: str) -> bool:
    return segment.startswith("_") and not (segment.startswith("__") and segment.endswith("__"))


#: where this repository's own modules live (the venv may live in the checkout too)
OWN = tuple(ROOT / d for d in ("src", "tests", "scripts", "benchmarks"))


def _is_dependency(top: str) -> bool:
    """``top`` is a module not of this repository (a dependency or the stdlib)."""
    if top in ("vtctl", "tests"):
        return False
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    origin = spec.origin if spec.origin not in (None, "built-in", "frozen") else None
    return not (origin and any(Path(origin).resolve().is_relative_to(d) for d in OWN))


def _private_dotted(name: str) -> bool:
    segments = name.split(".")
    return (any(_private(s) for s in segments) and _is_dependency(segments[0])
            and name not in PUBLIC_UNDERSCORED)


# -- what a module's names are bound to ----------------------------------------------


def _bindings(tree: ast.AST) -> dict[str, str]:
    """Every imported name (lazy imports included) -> the dotted path it stands for."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _dotted(node: ast.expr, bound: dict[str, str]) -> str | None:
    """The dotted path an expression such as ``httpx.BaseTransport`` stands for."""
    if isinstance(node, ast.Subscript):  # Convertor[int]
        node = node.value
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in bound:
        return None
    return ".".join([bound[node.id], *reversed(parts)])


def _resolve(path: str) -> Any:
    """The object at a dotted path (the longest importable module, then attributes)."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


# -- the checks ------------------------------------------------------------------------


def _private_imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        private = [
            name for name in names
            if not name.startswith("vtctl")
            and any(p.startswith("_") and not p.startswith("__") for p in name.split("."))
        ]
        if private:
            yield f"line {node.lineno}: import of {private[-1]}"


def _private_strings(tree: ast.AST) -> Iterator[str]:
    prose = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            for name in _DOTTED.findall(node.value):
                if _private_dotted(name):
                    yield f"line {node.lineno}: {name!r} in a string"
            if _private(node.value) and node.value.isidentifier() and _is_dependency(node.value):
                yield f"line {node.lineno}: module {node.value!r} in a string"


def _private_getattr(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) >= 2):
            continue
        owner, name = node.args[0], node.args[1]
        if (isinstance(name, ast.Constant) and isinstance(name.value, str)
                and _private(name.value)
                and not (isinstance(owner, ast.Name) and owner.id in ("self", "cls"))):
            yield f"line {node.lineno}: {node.func.id}(..., {name.value!r})"


def _private_attributes(tree: ast.AST) -> Iterator[str]:
    bound = _bindings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            path = _dotted(node, bound)
            if path is not None and _private_dotted(path):
                yield f"line {node.lineno}: {path}"


def _dependency_bases(tree: ast.AST) -> Iterator[tuple[ast.ClassDef, str]]:
    bound = _bindings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                path = _dotted(base, bound)
                if path is not None and _is_dependency(path.split(".")[0]):
                    yield node, path


def _base_problems(tree: ast.AST) -> Iterator[str]:
    for cls, path in _dependency_bases(tree):
        where = f"line {cls.lineno}: class {cls.name}({path})"
        if any(_private(s) for s in path.split(".")):
            yield f"{where}: a private base"
            continue
        base = _resolve(path)
        stdlib = path.split(".")[0] in sys.stdlib_module_names
        documented = (stdlib or path in DOCUMENTED_BASES or path in PINNED_BASES
                      or (isinstance(base, type) and issubclass(base, BaseException)))
        if not documented:
            yield f"{where}: not documented for subclassing (DOCUMENTED_BASES / PINNED_BASES)"
        if isinstance(base, type) and not stdlib:
            yield from _touches_base_privates(cls, base, where)


def _touches_base_privates(cls: ast.ClassDef, base: type, where: str) -> Iterator[str]:
    """``self._name`` in ``cls`` where ``_name`` is the dependency base's own."""
    sources = []
    for klass in base.__mro__[:-1]:
        with contextlib.suppress(OSError, TypeError):  # built-in: no source
            sources.append(inspect.getsource(klass))
    text = "\n".join(sources)
    used = {node.attr for node in ast.walk(cls) if isinstance(node, ast.Attribute)
            and _private(node.attr) and isinstance(node.value, ast.Name)
            and node.value.id == "self"}
    for name in sorted(used):
        if any(name in vars(k) for k in base.__mro__) or f"self.{name}" in text:
            yield f"{where}: uses the base's private self.{name}"


CHECKS = (_private_imports, _private_strings, _private_getattr, _private_attributes,
          _base_problems)


def _problems(code: str) -> list[str]:
    tree = ast.parse(code)
    return [problem for check in CHECKS for problem in check(tree)]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_api_of_a_dependency(path: Path) -> None:
    assert _problems(path.read_text(encoding="utf-8")) == []


def test_each_pinned_base_has_its_pin() -> None:
    """An internal class is subclassed only under a pin to the minor version installed."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for package in set(PINNED_BASES.values()):
        spec = next(d for d in deps if re.match(rf"{package}\b", d))
        found = re.fullmatch(rf"{package}>=(\d+)\.(\d+)(?:\.\d+)?,<(\d+)\.(\d+)", spec)
        assert found, f"{package} must be pinned as >=X.Y,<X.Y+1 (is {spec!r})"
        low, high = (int(found[1]), int(found[2])), (int(found[3]), int(found[4]))
        assert high == (low[0], low[1] + 1), spec
        installed = importlib.metadata.version(package).split(".")
        assert (int(installed[0]), int(installed[1])) == low, (spec, installed)


@pytest.mark.parametrize(("code", "expected"), [
    ("from typer import _click\nfrom _sha256 import sha256\nimport typer._completion_classes",
     3),
    ("import sys, types\nsys.modules['httpx._main'] = types.ModuleType('x')", 1),
    ("import importlib\nimportlib.import_module('typer._click')", 1),
    ("cmd = ['python', '-c', \"import sys; sys.modules['httpx._main'] = None\"]", 1),
    ("import importlib\nimportlib.import_module('_sha256')", 1),
    ("def f(client):\n    setattr(client, '_test_only_last_response', None)", 1),
    ("def f(client):\n    return getattr(client, '_edge')", 1),
    ("import keyring.core\nkeyring.core._keyring_backend = None", 1),
    ("from typer import rich_utils\nrich_utils._get_rich_console()", 1),
    ("from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol\n"
     "class P(HttpToolsProtocol): pass", 0),  # pinned
    ("from uvicorn.protocols.http.h11_impl import H11Protocol\nclass P(H11Protocol): pass", 1),
    ("from httpx._transports.base import BaseTransport\nclass T(BaseTransport): pass", 2),
    ("from twilio.http import HttpClient\nclass C(HttpClient):\n"
     "    def request(self):\n        self._test_only_last_response = None", 1),
    ("from twilio.http import HttpClient\nclass C(HttpClient):\n"
     "    def request(self):\n        self._mine = None", 0),
    ('"""A docstring may name httpx._main to say why not."""\nimport os\nos._exit(0)', 0),
])
def test_the_check_sees_the_forms(code: str, expected: int) -> None:
    assert len(_problems(code)) == expected, _problems(code)
