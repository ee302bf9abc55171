"""A short ``VTCTL_SERVE_SECRET`` gives vtctl's own one-line WARNING, never PyJWT's.

vtctl accepts a short secret and says so itself (serve's banner); PyJWT's
``InsecureKeyLengthWarning`` came on top, with a ``site-packages/jwt/...`` path and
a source line, from ``serve --issue-jwt`` and in serve's log on the first request.
Python's warnings are switched on (``PYTHONWARNINGS=default``) in both processes,
so an inherited setting cannot hide one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.helpers import JANE
from tests.serve_fixtures import RunningServer, start_server

SHORT = "x"
WARNINGS_ON = {"VTCTL_SERVE_SECRET": SHORT, "PYTHONWARNINGS": "default"}


def python_warning(text: str) -> bool:
    return "Warning:" in text or "site-packages" in text or "api_jwt.py" in text


def test_issue_jwt_with_a_short_secret_prints_no_python_warning(vtctl: Any) -> None:
    issued = vtctl("serve", "--issue-jwt", "2", "--profile", "demo", env=WARNINGS_ON)
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.count(".") == 2  # the JWT, alone
    assert issued.stderr == ""


def test_serve_with_a_short_secret_logs_no_python_warning(tmp_path: Path,
                                                          serve_server: RunningServer) -> None:
    server = start_server(tmp_path, store=serve_server.store, extra_env=WARNINGS_ON,
                          args=("--dev-login",))
    server.secret = SHORT
    try:
        login = httpx.post(f"{server.url}/api/token/", timeout=10,  # PyJWT encodes
                           json={"username": JANE["email"], "password": "any"})
        assert login.status_code == 200, login.text
        access = login.json()["access"]
        shown = httpx.get(f"{server.url}/api/appointments/47/", timeout=10,  # and decodes
                          headers={"Authorization": f"Bearer {access}"})
        assert shown.status_code == 200, shown.text
        issued = httpx.get(f"{server.url}/api/appointments/47/", timeout=10,
                           headers={"Authorization": f"Bearer {server.jwt(JANE['id'])}"})
        assert issued.status_code == 200, issued.text
    finally:
        assert server.stop() == 0, server.stderr()
    log = server.stderr()
    assert "WARNING: $VTCTL_SERVE_SECRET is shorter than 32 characters" in log
    assert not python_warning(log), log
