"""Every folder vtctl makes is 0700 (README, Security notes), the missing ones above
its own too: ``mkdir(parents=True)`` gave those the umask's 0755, so the README's
first command left ``~/.config/vtctl`` (and ``~/.local/share``) readable by all.
A folder that exists already keeps its mode (the XDG Base Directory spec: create
missing ones 0700, never change existing ones).

Run with the usual umask, 022, under which the old code made 0755 folders."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_readme_tour import REPO, first_command, readme_env
from vtctl.util.fsutil import ensure_private_dir


@pytest.fixture
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def folders(under: Path) -> dict[str, int]:
    """Each folder under ``under`` (not itself), relative, with its mode."""
    return {str(p.relative_to(under)): mode(p) for p in under.rglob("*") if p.is_dir()}


@pytest.mark.usefixtures("usual_umask")
def test_each_missing_folder_is_made_0700_and_an_existing_one_keeps_its_mode(
    tmp_path: Path
) -> None:
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    ensure_private_dir(existing / "a" / "b" / "c")
    assert mode(existing) == 0o755
    assert folders(existing) == {"a": 0o700, "a/b": 0o700, "a/b/c": 0o700}
    ensure_private_dir(existing / "a" / "b" / "c")  # there already: nothing changes
    assert folders(existing) == {"a": 0o700, "a/b": 0o700, "a/b/c": 0o700}


def test_a_file_in_the_way_is_an_os_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(OSError):
        ensure_private_dir(tmp_path / "file" / "sub")
    assert (tmp_path / "file").read_text() == ""


def run_as_the_readme_does(home: Path, command: str) -> None:
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", f"umask 022; {command}"],
                          cwd=REPO, env=readme_env(home), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, f"{command}\n{done.stderr}"


def test_the_first_command_and_help_make_only_0700_folders_in_a_fresh_home(
    tmp_path: Path
) -> None:
    """The README's first command (demo store, its trail's key file: no keyring in an
    empty home) and `vtctl --help` (its cache), as a new user runs them."""
    home = tmp_path / "home"
    home.mkdir()
    run_as_the_readme_does(home, first_command((REPO / "README.md").read_text()))
    run_as_the_readme_does(home, "vtctl --help >/dev/null")
    made = folders(home)
    assert {".config/vtctl/audit-keys", ".local/share/vtctl"} <= set(made)
    assert {name: m for name, m in made.items() if m != 0o700} == {}


def test_an_existing_xdg_folder_keeps_its_mode(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True, mode=0o755)
    (home / ".config").chmod(0o755)
    run_as_the_readme_does(home, first_command((REPO / "README.md").read_text()))
    assert mode(home / ".config") == 0o755
    assert mode(home / ".config" / "vtctl") == 0o700
