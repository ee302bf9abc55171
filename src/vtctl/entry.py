"""Console-script entry point: fast paths before anything heavy is imported.

``vtctl --version`` and shell completion run on every keystroke or script
start, so they must not pay for Typer, rich or the backends.

Shell completion is answered by ``vtctl.fastcomplete``.
"""

from __future__ import annotations

import os
import sys

#: Typer's completion variable; the completion module itself is imported only when it is set.
COMPLETE_VAR = "_VTCTL_COMPLETE"


def main(argv: list[str] | None = None) -> int:
    instruction = os.environ.get(COMPLETE_VAR)
    if instruction:  # Typer checks the variable before looking at argv, so do we
        from vtctl.fastcomplete import complete

        return complete(instruction)
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        from vtctl import __version__

        sys.stdout.write(f"vtctl {__version__}\n")
        return 0
    _skip_httpx_cli()
    from vtctl.cli.app import run

    return run(args)


def _skip_httpx_cli() -> None:
    """Keep httpx from importing its command-line client.

    ``import httpx`` also imports ``httpx._main`` (click, rich.console,
    pygments, rich.progress: ~35 ms) whenever click is installed, and uvicorn
    installs it.  vtctl never runs httpx's CLI; with this placeholder httpx's
    own ``except ImportError`` fallback defines its ``main`` instead.
    """
    if "httpx" not in sys.modules:
        import types

        sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
