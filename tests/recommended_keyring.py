"""A stand-in for an OS keyring, which a headless test machine does not have.

keyrings.alt's PlaintextKeyring (its file under the test's XDG_DATA_HOME) at
keyring's "recommended" priority (>= 1, as SecretService or macOS Keychain
report): what vtctl uses without being asked.  Tests name it in
PYTHON_KEYRING_BACKEND, or install it as a plugin that detection finds.
"""

from __future__ import annotations

import os
from pathlib import Path

from keyrings.alt.file import PlaintextKeyring

NAME = "tests.recommended_keyring.Keyring"


class Keyring(PlaintextKeyring):
    priority = 1


def install_as_plugin(directory: Path) -> str:
    """Make keyring's own detection find it, as an installed OS keyring plugin is
    found (entry point ``keyring.backends``); returns the PYTHONPATH to set."""
    info = directory / "vtctl_test_keyring-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vtctl-test-keyring\n"
                                   "Version: 1.0\n")
    (info / "entry_points.txt").write_text(f"[keyring.backends]\nstandin = {__name__}\n")
    return os.pathsep.join([str(directory), str(Path(__file__).resolve().parents[1])])
