"""Console-script entry point: the answers that need no Typer, then Typer.

``vtctl --version``, shell completion and ``--help`` run on every keystroke or
look-up, so they must not pay for Typer, rich or the backends.

Shell completion is answered by ``vtctl.launch.fastcomplete``, a pure help
request from ``vtctl.launch.helpcache`` (both from what the generator recorded
of Typer's declarations, or by Typer when they cannot); every command by Typer
(``vtctl.cli.framework.app.run``, which imports only the module of the command
it runs; ``cli.framework.runtime.report_failure`` turns errors into exit codes).
"""

from __future__ import annotations

import os
import sys

from vtctl.util.prog import (  # the completion module is imported only when it is set
    COMPLETE_VAR,
    HELP_OPTIONS,
)


def main(argv: list[str] | None = None) -> int:
    instruction = os.environ.get(COMPLETE_VAR)
    if instruction:  # Typer checks the variable before looking at argv, so do we
        from vtctl.launch.fastcomplete import complete

        return complete(instruction)
    args = list(sys.argv[1:] if argv is None else argv)
    if (status := _refuse_undecodable(args)) is not None:
        return status
    if args in (["--version"], ["-V"]):
        from vtctl import __version__

        sys.stdout.write(f"vtctl {__version__}\n")
        return 0
    if args and args[-1] in HELP_OPTIONS:
        from vtctl.launch.helpcache import cached_help

        status = cached_help(args)  # None: not a pure help request, or no cache
        if status is not None:
            return status
    from vtctl.cli.framework.app import run

    return run(args)


def _refuse_undecodable(args: list[str]) -> int | None:
    """Where argv enters: words that are not UTF-8 text are a usage error (exit 2) here,
    before any command stores, signs or prints them."""
    from vtctl.util.text import argv_problem

    problem = argv_problem(args)
    if problem is None:
        return None
    from vtctl.cli.framework.runtime import report_failure
    from vtctl.domain.errors import UsageError
    from vtctl.ui.iostreams import IOStreams

    hint = "check the terminal's or script's encoding: vtctl reads its arguments as UTF-8"
    return report_failure(UsageError(problem, hint=hint), IOStreams(), debug=False)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
