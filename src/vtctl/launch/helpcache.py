"""``vtctl [COMMAND...] --help`` from a cache, without importing Typer or rich.

Rendering help needs Typer, rich and the whole app (~180 ms; ``import typer``
alone is ~55 ms).  The help of a given vtctl build on a given terminal never
changes, so, like Python's ``.pyc`` files, the first run stores the exact text
the normal Typer path printed and later runs print it back.

Only a *pure* help request is answered here: a chain of command names that
exists in the app (``completion_tree.json``) followed by one ``--help`` or
``-h`` as the last argument, nothing else (``vtctl mint --identity --help``
mints a token; ``vtctl --debug --help`` logs).

The entry is keyed (sha256) by everything that changes the rendering: the
vtctl version and the stat of every ``*.py``/``*.json`` file of the package
(an edit in an editable install is seen), where and which Typer and rich are
installed, the arguments, the Python version, whether stdout is a terminal,
the terminal size, stdout's encoding, and the environment variables Typer,
rich and gettext read (``RENDER_VARIABLES``) plus every ``VTCTL_*`` one.

Entries live in ``<vtctl's user cache dir>/help/`` (``util.dirs``;
``$XDG_CACHE_HOME/vtctl/help`` on Linux), one file per key, written
atomically; a run that printed to stderr or exited non-zero is not stored,
a damaged entry is ignored and replaced,
and any ``OSError`` on the cache (read-only home, no home) just means Typer
renders the help as before.  ``VTCTL_NO_HELP_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import os
import sys

from vtctl.util import dirs
from vtctl.util.prog import HELP_OPTIONS

TYPE_CHECKING = False  # typing costs ~5 ms; this path exists to be fast
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any, TextIO

DISABLE_VAR = "VTCTL_NO_HELP_CACHE"
#: bump when what goes into the key or the entry format changes
FORMAT = 1
MAGIC = b"vtctl-help-cache"
#: more entries than this (old builds, old terminal sizes): drop the oldest half
MAX_ENTRIES = 256

#: Environment variables that change the rendered help.  From grepping
#: ``getenv``/``environ`` in the installed Typer 0.28 and rich 15 (see
#: tests/test_helpcache.py::test_every_variable_typer_and_rich_read_is_in_the_key):
#: typer/rich_utils.py (TERMINAL_WIDTH, _TYPER_FORCE_DISABLE_TERMINAL,
#: GITHUB_ACTIONS, FORCE_COLOR, PY_COLORS), typer/core.py (TYPER_USE_RICH),
#: rich/console.py (COLUMNS, LINES, TERM, COLORTERM, NO_COLOR, FORCE_COLOR,
#: TTY_COMPATIBLE, TTY_INTERACTIVE, JUPYTER_COLUMNS, JUPYTER_LINES,
#: DATABRICKS_RUNTIME_VERSION), rich/_unicode_data (UNICODE_VERSION: cell
#: widths); JPY_PARENT_PID (older rich's Jupyter check); LANGUAGE, LC_ALL,
#: LC_MESSAGES, LANG (gettext, which Typer's strings go through).
RENDER_VARIABLES = (
    "COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR",
    "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TERMINAL_WIDTH", "GITHUB_ACTIONS", "PY_COLORS",
    "_TYPER_FORCE_DISABLE_TERMINAL", "TYPER_USE_RICH", "JUPYTER_COLUMNS", "JUPYTER_LINES",
    "JPY_PARENT_PID", "DATABRICKS_RUNTIME_VERSION", "UNICODE_VERSION",
    "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG",
)
#: the packages whose code renders the help, besides vtctl itself
RENDERERS = ("typer", "rich")

#: True while Typer renders a miss: a nested request is never answered from the cache
_recording = False


def cached_help(args: list[str]) -> int | None:
    """Answer a pure help request from the cache, or render it and fill the cache.

    Returns the exit status, or None when ``args`` is not a pure help request
    (or the cache is off or unusable): the caller then runs its normal path.
    """
    if _recording or os.environ.get(DISABLE_VAR, "") not in ("", "0"):
        return None
    stdout = sys.stdout
    if stdout is None or not is_help_request(args):
        return None
    if os.name == "nt" and _isatty(stdout):
        return None  # rich's legacy Windows console renderer writes around sys.stdout
    directory = cache_dir()
    try:
        key = cache_key(args, stdout, os.environ)
    except OSError:  # the package cannot be listed (a zip, a permission): no cache
        return None
    if directory is None or key is None:
        return None
    path = os.path.join(directory, key)
    text = read_entry(path)
    if text is not None:
        try:
            stdout.write(text)
            stdout.flush()
        except BrokenPipeError:  # `vtctl --help | head -1`: the reader left, not an error
            from vtctl.util.pipes import discard_stdout

            discard_stdout()
            return 0
        return 0
    return _render_and_store(args, path)


def is_help_request(args: list[str]) -> bool:
    """``[name...] --help``: existing command names, then one help option, last."""
    if not args or args[-1] not in HELP_OPTIONS:
        return False
    chain = args[:-1]
    if any(arg.startswith("-") for arg in chain):
        return False  # an option (or an option's value) before --help: not pure
    try:
        node = _load_tree()["root"]
        for name in chain:
            if not node["group"]:
                return False
            node = next(c for c in node["commands"] if c["name"] == name)
        return any(
            p["kind"] == "option" and p["name"] == "help" and args[-1] in p["opts"]
            for p in node["params"]
        )
    except Exception:  # no such command, a missing or malformed tree: Typer answers
        return False


def _load_tree() -> dict[str, Any]:
    from vtctl.launch.cmdtree import load_tree  # the tree completion uses

    return load_tree()


# -- the key -----------------------------------------------------------------


def cache_key(args: list[str], stdout: TextIO, environ: Mapping[str, str]) -> str | None:
    """The hex sha256 naming this request's entry; None if the renderers are not found."""
    from vtctl import __version__

    renderers = [_renderer_fingerprint(name) for name in RENDERERS]
    if None in renderers:
        return None
    parts = (
        FORMAT,
        __version__,
        sys.version,
        sys.platform,
        tree_fingerprint(_PACKAGE_ROOT),
        renderers,
        list(args),
        _isatty(stdout),
        _terminal_size(),
        getattr(stdout, "encoding", None),
        getattr(stdout, "errors", None),
        [(name, environ.get(name)) for name in RENDER_VARIABLES],
        sorted((k, v) for k, v in environ.items() if k.startswith("VTCTL_")),
    )
    # repr escapes lone surrogates (from undecodable argv/environ bytes), so it encodes
    return _sha256(repr(parts).encode("utf-8"))


#: the vtctl package: every module of it can change what help prints
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tree_fingerprint(root: str) -> list[tuple[str, int, int]]:
    """(relative path, mtime_ns, size) of every ``*.py``/``*.json`` file under ``root``."""
    found: list[tuple[str, int, int]] = []
    _scan(root, "", found)
    found.sort()
    return found


def _scan(directory: str, prefix: str, found: list[tuple[str, int, int]]) -> None:
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    _scan(entry.path, f"{prefix}{entry.name}/", found)
            elif entry.name.endswith((".py", ".json")):
                st = entry.stat()
                found.append((prefix + entry.name, st.st_mtime_ns, st.st_size))


def _renderer_fingerprint(name: str) -> tuple[Any, ...] | None:
    """Where package ``name`` is imported from and stats that change when it is reinstalled.

    A ``sys.path`` scan like the import system's for a regular package
    (``importlib.util.find_spec`` costs ~3 ms to import).  A pip install,
    upgrade or uninstall of anything in that site-packages changes the
    directory's mtime (dist-info names carry versions); reinstalling the
    package recreates its directory and ``__init__.py``.
    """
    for entry in sys.path:
        package = os.path.join(entry or ".", name)
        try:
            init = os.stat(os.path.join(package, "__init__.py"))
            pkg = os.stat(package)
            site = os.stat(entry or ".")
        except OSError:
            continue
        return (
            os.path.abspath(package),
            (init.st_ino, init.st_mtime_ns, init.st_size),
            (pkg.st_ino, pkg.st_mtime_ns),
            site.st_mtime_ns,
        )
    return None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _terminal_size() -> tuple[int, int] | None:
    """The size rich uses: that of the first of stdin, stdout, stderr that is a terminal
    (``rich.console.Console.size``; it looks even when stdout is a pipe)."""
    for fd in (1, 2) if os.name == "nt" else (0, 1, 2):
        try:
            return tuple(os.get_terminal_size(fd))  # type: ignore[return-value]
        except (AttributeError, ValueError, OSError):
            continue
    return None


def _sha256(data: bytes) -> str:
    # hashlib loads OpenSSL: ~3 ms of a ~20 ms cached --help (benchmarks/RESULTS.md);
    # the builtin _sha256 module would be faster but is CPython's private module
    from hashlib import sha256

    return sha256(data).hexdigest()


# -- the entries -------------------------------------------------------------


def cache_dir() -> str | None:
    """vtctl's user cache dir (``util.dirs``) + ``/help``, or None without a home."""
    base = dirs.cache_dir()
    return None if base is None else os.path.join(base, "help")


def read_entry(path: str) -> str | None:
    """The stored help text, or None if the entry is missing or damaged."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    header, newline, body = data.partition(b"\n")
    if not newline or header != MAGIC + b" " + _sha256(body).encode("ascii"):
        return None
    try:
        return body.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None


def write_entry(path: str, text: str) -> None:
    """Store ``text`` at ``path`` atomically (mode 0600, directories 0700); OSError escapes."""
    import contextlib
    import tempfile

    from vtctl.util.fsutil import make_private_dirs

    body = text.encode("utf-8", "surrogatepass")
    directory = os.path.dirname(path)
    make_private_dirs(directory)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + b" " + _sha256(body).encode("ascii") + b"\n" + body)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _prune(directory)


def _prune(directory: str) -> None:
    """Keep the directory small: past MAX_ENTRIES, remove the oldest half."""
    import contextlib

    with os.scandir(directory) as it:
        entries = [e for e in it if e.is_file(follow_symlinks=False)]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for entry in entries[: len(entries) - MAX_ENTRIES // 2]:
        with contextlib.suppress(OSError):
            os.unlink(entry.path)


# -- a miss ------------------------------------------------------------------


class _Recorder:
    """A stand-in for ``sys.stdout``/``sys.stderr`` that keeps a copy of what is written.

    Everything but ``write`` is the real stream's (``isatty``, ``fileno``,
    ``encoding``, ``buffer``, ``flush``...): rich and click pick colours and
    width from ``sys.stdout`` when they write, and must see the real thing.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        self.parts.append(text)
        return written

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _render_and_store(args: list[str], path: str) -> int:
    """Render the help with Typer (``cli.framework.app.run``), recording stdout; keep a
    clean result."""
    global _recording
    import contextlib

    from vtctl.cli.framework.app import run

    real_out, real_err = sys.stdout, sys.stderr
    out = _Recorder(real_out)
    err = _Recorder(real_err) if real_err is not None else None
    sys.stdout = out  # type: ignore[assignment]
    if err is not None:
        sys.stderr = err  # type: ignore[assignment]
    _recording = True
    try:
        status = run(list(args))
    finally:
        _recording = False
        sys.stdout, sys.stderr = real_out, real_err
    text = "".join(out.parts)
    if status == 0 and text and not (err and "".join(err.parts)):
        with contextlib.suppress(OSError, UnicodeEncodeError):
            write_entry(path, text)  # a read-only or full cache only costs speed
    return status
