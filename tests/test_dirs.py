"""vtctl's own user directories (util/dirs.py) are the ones platformdirs gives.

platformdirs is only a test dependency: vtctl computes the three directories
itself (importing platformdirs cost ~2 ms on every command), and these tests
compare each rule with platformdirs' own classes over many environments.
"""

from __future__ import annotations

import ntpath
import os
import pwd
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import platformdirs
import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from vtctl.config import paths
from vtctl.config.settings import default_store_path
from vtctl.util import dirs

RULES = {  # vtctl's function, platformdirs' property, the variable that moves it
    "config": (dirs.config_dir, "user_config_dir", "XDG_CONFIG_HOME"),
    "data": (dirs.data_dir, "user_data_dir", "XDG_DATA_HOME"),
    "cache": (dirs.cache_dir, "user_cache_dir", "XDG_CACHE_HOME"),
}
#: unset, empty, blank, led by a space, relative, a literal ~, absolute in several spellings
XDG_VALUES = (None, "", "   ", " /xdg", "relative/xdg", "~/xdg", "/xdg", "/xdg/", "//xdg",
              "/xdg with space ", "/")
#: HOME values, and what the password database says when HOME is not usable
HOMES = {
    "absolute": ("/home/ana", "/home/pw"),
    "trailing slash": ("/home/ana/", "/home/pw"),
    "root": ("/", "/home/pw"),
    "relative: the password database": ("ana", "/home/pw"),
    "empty: the password database": ("", "/home/pw/"),
    "unset: the password database": (None, "/home/pw"),
    "unset, empty database entry": (None, ""),
    "unset, relative database entry": (None, "pw"),
    "unset, no database entry": (None, KeyError),
    "relative, no database entry": ("ana", KeyError),
}


def set_env(monkeypatch: pytest.MonkeyPatch, name: str, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv(name, raising=False)
    else:
        monkeypatch.setenv(name, value)


def set_home(monkeypatch: pytest.MonkeyPatch, home: str | None, entry: str | type) -> None:
    set_env(monkeypatch, "HOME", home)

    def getpwuid(uid: int) -> SimpleNamespace:
        if entry is KeyError:
            raise KeyError(uid)
        return SimpleNamespace(pw_dir=entry)

    monkeypatch.setattr(pwd, "getpwuid", getpwuid)


def reference(lookup: object, prop: str) -> str | None:
    """platformdirs' answer; it raises RuntimeError where vtctl says None (no home)."""
    try:
        return str(getattr(lookup, prop))
    except RuntimeError as error:
        assert "home directory" in str(error)
        return None


def on(platform: str, function: Callable[[], str | None]) -> str | None:
    """``function()`` with ``sys.platform`` set to ``platform`` for that call only."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "platform", platform)
        return function()


def compare_unix_rules(monkeypatch: pytest.MonkeyPatch, platform: str, lookup: object) -> int:
    compared = 0
    for name, (ours, prop, variable) in RULES.items():
        for other in RULES.values():
            monkeypatch.delenv(other[2], raising=False)
        for value in XDG_VALUES:
            set_env(monkeypatch, variable, value)
            expected = reference(lookup, prop)
            got = on(platform, ours)
            assert got == expected, (platform, name, variable, value, os.environ.get("HOME"))
            compared += expected is not None
    return compared


@pytest.mark.parametrize("home", HOMES, ids=list(HOMES))
def test_linux_directories_are_platformdirs(monkeypatch: pytest.MonkeyPatch, home: str) -> None:
    set_home(monkeypatch, *HOMES[home])
    assert compare_unix_rules(monkeypatch, "linux", Unix(appname="vtctl")) > 0


@pytest.mark.parametrize("home", HOMES, ids=list(HOMES))
def test_macos_directories_are_platformdirs(monkeypatch: pytest.MonkeyPatch, home: str) -> None:
    set_home(monkeypatch, *HOMES[home])
    assert compare_unix_rules(monkeypatch, "darwin", MacOS(appname="vtctl")) > 0


def test_the_rules_give_the_expected_places(monkeypatch: pytest.MonkeyPatch) -> None:
    """The differential tests above, pinned: a wrong rule on both sides would show here."""
    set_home(monkeypatch, "/home/ana", "/home/pw")
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(variable, raising=False)
    linux = tuple(on("linux", ours) for ours, _, _ in RULES.values())
    macos = tuple(on("darwin", ours) for ours, _, _ in RULES.values())
    monkeypatch.setenv("XDG_DATA_HOME", "/xdg/data")
    macos_xdg = on("darwin", dirs.data_dir)
    assert linux == ("/home/ana/.config/vtctl", "/home/ana/.local/share/vtctl",
                     "/home/ana/.cache/vtctl")
    support = "/home/ana/Library/Application Support/vtctl"
    assert macos == (support, support, "/home/ana/Library/Caches/vtctl")
    assert macos_xdg == "/xdg/data/vtctl"


# -- Windows -------------------------------------------------------------------
# platformdirs asks the Windows shell for the Local AppData folder (ctypes), which
# cannot run here; its WIN_PD_OVERRIDE_LOCAL_APPDATA variable stands for the shell's
# answer, so the rest of its Windows rule (author and app folders, "Cache") is compared.

LOCAL_APPDATA = (r"C:\Users\ana\AppData\Local", "C:/Users/ana/AppData/Local/",
                 r"D:\profiles\ana\Local", r"\\server\share\ana\Local")


def windows(monkeypatch: pytest.MonkeyPatch, local: str | None) -> tuple[str | None, ...]:
    set_env(monkeypatch, "LOCALAPPDATA", local)
    return tuple(on("win32", ours) for ours, _, _ in RULES.values())


@pytest.mark.parametrize("local", LOCAL_APPDATA)
def test_windows_directories_are_platformdirs(monkeypatch: pytest.MonkeyPatch, local: str) -> None:
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", local)
    lookup = Windows(appname="vtctl")
    # platformdirs joins with the host's os.path (here posixpath); on Windows that is ntpath
    expected = tuple(ntpath.normpath(getattr(lookup, prop)) for _, prop, _ in RULES.values())
    assert windows(monkeypatch, local) == expected


def test_windows_directories_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    app = r"C:\Users\ana\AppData\Local\vtctl\vtctl"
    assert windows(monkeypatch, "C:/Users/ana/AppData/Local/") == (app, app, app + r"\Cache")


@pytest.mark.parametrize("local", [None, "", "relative\\Local", "C:relative"])
def test_windows_without_a_usable_localappdata_has_no_directories(
    monkeypatch: pytest.MonkeyPatch, local: str | None
) -> None:
    assert windows(monkeypatch, local) == (None, None, None)


# -- where the commands look ------------------------------------------------------


def test_the_config_file_and_the_stores_are_in_these_directories() -> None:
    """What the commands open is where platformdirs would have put it (Linux)."""
    assert paths.config_path() == platformdirs.user_config_path("vtctl") / "config.toml"
    assert default_store_path("demo") == platformdirs.user_data_path("vtctl") / "demo.sqlite3"
    assert default_store_path("dev") == platformdirs.user_data_path("vtctl") / "store.sqlite3"
    assert paths.config_path({"VTCTL_CONFIG": "~/vt.toml"}) == Path("~/vt.toml").expanduser()


def test_without_a_home_a_command_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    set_home(monkeypatch, None, KeyError)
    monkeypatch.delenv("XDG_CONFIG_HOME")
    result = cli("token", "47", "--local", "--json", "--profile", "demo")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: could not find your home directory")
    assert "Traceback" not in result.stderr and "ConfigError" not in result.stderr
    assert len(result.stderr.splitlines()) <= 2  # the error and its hint
