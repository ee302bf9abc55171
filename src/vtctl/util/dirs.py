"""Where vtctl keeps its files: the user config, data and cache directories.

These are the directories ``platformdirs`` 4 gives for ``appname="vtctl"``
with its default arguments, computed here instead: importing platformdirs
cost ~9.7 M instructions (~2 ms, 8 modules) on nearly every command, for three
short rules, and the cached ``--help`` path cannot afford it at all.
tests/test_dirs.py compares each rule with platformdirs over many environments.

- Unix: ``$XDG_CONFIG_HOME``, ``$XDG_DATA_HOME``, ``$XDG_CACHE_HOME`` when set to
  an absolute path (taken as it is; an empty, relative or space-led value is
  ignored), else ``~/.config``, ``~/.local/share``, ``~/.cache``.
- macOS: the same variables, else ``~/Library/Application Support`` (config
  and data) and ``~/Library/Caches``.
- Windows: ``%LOCALAPPDATA%\\vtctl\\vtctl`` (config and data: platformdirs names
  the app's author, by default the app again) and ``...\\vtctl\\vtctl\\Cache``.

Each returns a ``str`` (``pathlib`` is not imported on the cached ``--help``
path), or None when no home directory (or ``%LOCALAPPDATA%``) can be found.
"""

from __future__ import annotations

import os
import sys

APP = "vtctl"


def config_dir() -> str | None:
    return _user_dir("XDG_CONFIG_HOME", "/.config", "/Library/Application Support")


def data_dir() -> str | None:
    return _user_dir("XDG_DATA_HOME", "/.local/share", "/Library/Application Support")


def cache_dir() -> str | None:
    return _user_dir("XDG_CACHE_HOME", "/.cache", "/Library/Caches", windows=("Cache",))


def _user_dir(variable: str, unix: str, macos: str, windows: tuple[str, ...] = ()) -> str | None:
    if sys.platform == "win32":
        return _windows_dir(windows)
    base = os.environ.get(variable, "")
    if not base.startswith("/"):  # platformdirs' xdg_dir: only an absolute path counts
        home = _home()
        if home is None:
            return None
        base = home + (macos if sys.platform == "darwin" else unix)
    return os.path.join(base, APP)


def _home() -> str | None:
    """``~`` as platformdirs expands it: ``$HOME`` when absolute, else the user's
    entry in the password database; without its trailing ``/``."""
    home = os.environ.get("HOME", "")
    if not home.startswith("/"):
        try:
            import pwd

            home = pwd.getpwuid(os.getuid()).pw_dir
        except (ImportError, KeyError):
            return None
    home = home.rstrip("/")
    return home if home[:1] in ("", "/") else None


def _windows_dir(sub: tuple[str, ...]) -> str | None:
    # ntpath is os.path on Windows; naming it lets the tests run this rule anywhere.
    # platformdirs asks the shell for the Local AppData folder, which %LOCALAPPDATA% names.
    import ntpath

    local = os.environ.get("LOCALAPPDATA", "")
    if not ntpath.isabs(local):
        return None
    return ntpath.join(ntpath.normpath(local), APP, APP, *sub)
