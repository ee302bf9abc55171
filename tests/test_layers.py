"""The folder tree is the architecture: each layer imports only the layers below it,
and no module imports itself through others (no import cycles).

Checked on the source (every ``import`` statement, module level or inside a
function), so a lazy import cannot slip an arrow the wrong way past the rules.
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
    "cli": {"launch"},  # the Typer app: everything below it, never what runs before it
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
    assert packages == set(FORBIDDEN)
    flat = {p.name for p in PACKAGE.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert not flat, f"modules outside a layer package: {sorted(flat)}"


def test_the_checker_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from vtctl.cli.framework.app import run\n    import vtctl.remote.client\n"
    )
    assert imported_layers(module) == {"cli", "remote"}


# -- no import cycles -----------------------------------------------------------------


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, name: str, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``path`` (module ``name``) imports, lazily or not.

    ``from p import x`` imports ``p.x`` when that is a module, else ``p``; a
    package's own ``__init__`` run by importing a submodule is not an arrow.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    return (found & known) - {name}


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    files = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    return {name: imported_modules(path, name, set(files)) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None (depth-first, three colours)."""
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return [*path[path.index(name):], name]
        if name in done:
            return None
        path.append(name)
        for target in sorted(graph[name]):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(name)
        return None

    return next((cycle for name in sorted(graph) if (cycle := visit(name))), None)


def test_the_import_graph_has_no_cycles() -> None:
    graph = import_graph()
    assert "vtctl.cli.framework.app" in graph["vtctl.launch.entry"]  # the lazy import is seen
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_sees_a_lazy_cycle_and_relative_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "b.py").write_text("def f():\n    from .. import a\n")
    graph = import_graph(package)
    assert graph["pkg.a"] == {"pkg.sub.b"} and graph["pkg.sub.b"] == {"pkg.a"}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.a"]
    (package / "sub" / "b.py").write_text("import pkg.sub\n")
    assert find_cycle(import_graph(package)) is None
