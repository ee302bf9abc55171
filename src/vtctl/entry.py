"""Console-script entry point: fast paths before anything heavy is imported.

``vtctl --version`` and shell completion run on every keystroke or script
start, so they must not pay for Typer, rich or the backends.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        from vtctl import __version__

        sys.stdout.write(f"vtctl {__version__}\n")
        return 0
    from vtctl.cli.app import run

    return run(args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
