"""The benchmarks' own server harness serves real tokens.

A benchmark that measures a server answering 503 measures nothing: when the keyed
audit trail came (issue 23), ``bench_serve.make_store`` built its store in the
benchmark's process, the trail's key went to that user's config, and ``serve``
(started in the benchmark's environment) refused every token, which no test saw
until a full ``benchmarks/run``.  This checks the harness, not a speed.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_serve  # noqa: E402  (benchmarks/ is not a package)


def test_the_serve_benchmarks_store_and_server_hand_out_tokens(tmp_path: Path) -> None:
    store = bench_serve.make_store(tmp_path / "store.sqlite3", 3)
    with bench_serve.serve(store, tmp_path, "--no-access-log") as server:
        request = urllib.request.Request(
            f"{server.url}/api/appointments/video-token/2/",
            headers={"Authorization": f"Bearer {bench_serve.dev_jwt(bench_serve.PATIENT)}"},
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert reply.status == 200
            body = json.loads(reply.read())
    assert body["appointment_id"] == 2 and body["room_name"] == "apt-2-1763138954-00000002"


def test_the_engine_benchmarks_subject_and_peer_mint_the_same_room(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bench_engine`` compares vtctl's engine with a raw twilio loop on the demo data;
    both must mint (a refused setup once failed only inside ``benchmarks/run``)."""
    import bench_engine
    import jwt

    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME"):  # the harness sets them: restored after
        monkeypatch.setenv(name, str(tmp_path / "before"))
    subject = bench_engine.make_subject(tmp_path)()
    peer = bench_engine.make_peer(tmp_path)()
    token = getattr(subject, "access_token", None)
    assert isinstance(token, str) and isinstance(peer, str)
    rooms = [jwt.decode(t, options={"verify_signature": False})["grants"]["video"]["room"]
             for t in (token, peer)]
    assert rooms == ["apt-47-1763138954-46eb915c"] * 2


def test_the_benchmarks_environment_lets_python_write_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``PYTHONDONTWRITEBYTECODE`` passed on, a module edited since its cache was
    written is compiled from source in every measured run: the floor row once measured
    that (a 2-5% error) instead of vtctl."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = bench_serve.bench_env(tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["HOME"] == str(tmp_path)
