"""Console-script entry point: fast paths before anything heavy is imported.

``vtctl --version`` and shell completion run on every keystroke or script
start, so they must not pay for Typer, rich or the backends.

Shell completion is answered by ``vtctl.launch.fastcomplete``, a pure help request
from ``vtctl.launch.helpcache``, a plain ``token`` or ``refresh`` command line by
``vtctl.launch.fastrun`` (all three from what the generator recorded of Typer's
declarations); everything else by Typer (``vtctl.cli.app.run``), which imports
only the module of the command it runs.
"""

from __future__ import annotations

import os
import sys

#: Typer's completion variable; the completion module itself is imported only when it is set.
COMPLETE_VAR = "_VTCTL_COMPLETE"


def main(argv: list[str] | None = None) -> int:
    instruction = os.environ.get(COMPLETE_VAR)
    if instruction:  # Typer checks the variable before looking at argv, so do we
        from vtctl.launch.fastcomplete import complete

        return complete(instruction)
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        from vtctl import __version__

        sys.stdout.write(f"vtctl {__version__}\n")
        return 0
    if args and args[-1] in ("--help", "-h"):
        from vtctl.launch.helpcache import cached_help

        status = cached_help(args)  # None: not a pure help request, or no cache
        if status is not None:
            return status
    from vtctl.launch import lean_imports

    lean_imports.install()
    from vtctl.launch.fastrun import try_run

    status = try_run(args)  # token/refresh without Typer; None: not a plain command line
    if status is not None:
        return status
    from vtctl.cli.app import run

    return run(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
