"""The README's install lines work on a fresh home, and `pip install` installs the
man pages where `man` finds them (a venv's share/man/man1, reached through PATH)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGES = sorted(p.name for p in (REPO / "man" / "man1").glob("*.1"))


def readme_block(heading: str) -> list[str]:
    """The lines of the first ```sh block under ``heading``, comment lines left out."""
    section = (REPO / "README.md").read_text().split(f"\n## {heading}\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def bare_env(home: Path, *path: Path) -> dict[str, str]:
    dirs = os.pathsep.join(str(p) for p in path)
    return {"PATH": f"{dirs}{os.pathsep}{os.defpath}", "HOME": str(home)}


def test_the_completion_lines_work_in_an_empty_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    lines = [line for line in readme_block("Shell completion") if "powershell" not in line]
    assert len(lines) == 4
    for line in lines:
        done = subprocess.run(["bash", "-c", line], cwd=tmp_path, env=bare_env(home, BIN),
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
        for target in re.findall(r">>?\s*~/(\S+)", line):
            written = (home / target).read_text()
            assert "vtctl" in written and "complet" in written.lower(), target


def build_wheel(tmp_path: Path) -> Path:
    """`pip wheel` of a copy of the checkout: offline, with this venv's setuptools."""
    source = tmp_path / "source"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(REPO / "src", source / "src", ignore=skip)
    shutil.copytree(REPO / "man", source / "man")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    out = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
                    "--no-build-isolation", "-w", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = out.glob("vtctl-*.whl")
    return wheel


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with vtctl's wheel installed (no dependencies: only its files matter)."""
    tmp_path = tmp_path_factory.mktemp("install")
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    data = sorted(n.rsplit("/", 1)[1] for n in names if "/data/share/man/man1/" in n)
    assert data == PAGES
    target = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(target / "bin" / "python"),
                    "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    return target


def test_pip_install_puts_every_page_in_share_man(venv: Path) -> None:
    installed = sorted(p.name for p in (venv / "share" / "man" / "man1").glob("*.1"))
    assert installed == PAGES and "vtctl-token.1" in installed
    assert (venv / "bin" / "vtctl").exists()


@pytest.mark.parametrize("how", ["venv bin on PATH", "man -M"])
def test_man_finds_the_installed_pages(venv: Path, tmp_path: Path, how: str) -> None:
    """The README's two lines for a venv, with `man -w` (where the page is) for `man`."""
    home = tmp_path / "home"
    home.mkdir()
    if how == "man -M":
        args, env = ["man", "-M", str(venv / "share" / "man"), "-w"], bare_env(home)
    else:
        args, env = ["man", "-w"], bare_env(home, venv / "bin")
    done = subprocess.run([*args, "vtctl-token"], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == venv / "share" / "man" / "man1" / "vtctl-token.1"


def test_help_man_says_where_an_installed_copy_keeps_its_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not run from a checkout: `help man` names the share/man that pip filled."""
    import vtctl
    from vtctl.cli.help.man import man_dir

    site = tmp_path / "lib" / "python3" / "site-packages" / "vtctl" / "__init__.py"
    pages = tmp_path / "share" / "man"
    (pages / "man1").mkdir(parents=True)
    monkeypatch.setattr(vtctl, "__file__", str(site))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert man_dir() is None
    (pages / "man1" / "vtctl.1").write_text(".TH VTCTL 1\n")
    assert man_dir() == pages
