"""The folder tree is the architecture: each layer imports only the layers below it.

Checked on the source (every ``import`` statement, module level or inside a
function), so a lazy import cannot slip an arrow the wrong way past the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "vtctl"

#: layer -> layers it must never import (directly, at any depth of the module)
FORBIDDEN: dict[str, set[str]] = {
    "domain": {"cli", "launch", "ui", "local", "remote", "twilio_video", "backends", "server",
               "config", "checks", "net"},
    "util": {"cli", "launch", "ui", "local", "remote", "twilio_video", "backends", "server",
             "config", "checks", "net"},
    "net": {"cli", "launch", "ui", "local", "remote", "twilio_video", "backends", "server",
            "config", "checks"},
    "local": {"cli", "launch", "ui", "remote", "backends", "server", "checks"},
    "remote": {"cli", "launch", "ui", "local", "backends", "server", "checks"},
    "twilio_video": {"cli", "launch", "ui", "local", "remote", "backends", "server", "checks"},
    "ui": {"cli", "launch", "local", "remote", "twilio_video", "backends", "server", "checks",
           "net"},
    "config": {"cli", "launch", "ui", "local", "remote", "twilio_video", "backends", "server",
               "checks", "net"},
    "backends": {"cli", "launch", "ui", "server", "checks"},
    "server": {"cli", "launch", "ui", "remote", "checks"},
    "checks": {"cli", "launch", "ui", "server"},
    "launch": set(),  # the top: runs before Typer and hands over to cli
}


def imported_layers(path: Path) -> set[str]:
    layers: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "vtctl":
                names = [f"vtctl.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "vtctl" and len(parts) > 1:
                layers.add(parts[1])
    return layers


def layer_files() -> list[tuple[str, Path]]:
    return [
        (layer, path) for layer in FORBIDDEN for path in sorted((PACKAGE / layer).rglob("*.py"))
    ]


@pytest.mark.parametrize(("layer", "path"), layer_files(), ids=lambda v: str(v).rsplit("/", 1)[-1])
def test_no_import_goes_up_a_layer(layer: str, path: Path) -> None:
    wrong = imported_layers(path) & FORBIDDEN[layer]
    assert not wrong, f"{path.relative_to(PACKAGE)} ({layer}) imports {sorted(wrong)}"


def test_every_layer_is_a_package_and_checked() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"cli"} == set(FORBIDDEN) - {"cli"}
    flat = {p.name for p in PACKAGE.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert not flat, f"modules outside a layer package: {sorted(flat)}"


def test_the_checker_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from vtctl.cli.app import run\n    import vtctl.remote.client\n"
    )
    assert imported_layers(module) == {"cli", "remote"}
