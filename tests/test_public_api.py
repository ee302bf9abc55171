"""No private modules of our dependencies in ``src/`` and ``scripts/``.

A private module (``typer._click``, ``_sha256``, ``httpcore._async``...) can
change in any release; the Typer pin in pyproject.toml exists only for speed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("src/vtctl/**/*.py"), *ROOT.glob("scripts/*.py")])


def _private_imports(tree: ast.AST) -> list[str]:
    found = []
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
            found.append(f"line {node.lineno}: {private[-1]}")
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_module_of_a_dependency(path: Path) -> None:
    assert _private_imports(ast.parse(path.read_text(encoding="utf-8"))) == []


def test_the_check_sees_the_forms_we_had() -> None:
    code = "from typer import _click\nfrom _sha256 import sha256\nimport typer._completion_classes"
    assert len(_private_imports(ast.parse(code))) == 3
