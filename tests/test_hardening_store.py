"""The SQLite store under load and faults, with real ``vtctl`` processes.

Concurrent imports, ``appointment add`` (next free id), ``room create`` and
reads on one store lose no write and never report "database is locked";
``room create`` raced by many processes (and threads) makes exactly one room;
a store created by many processes at once is created once.  (A store of a
newer schema is refused untouched: test_store.py / test_cli_local.py.)
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from typing import Any

from tests.helpers import JANE, OUTSIDER, SARAH, appointment, make_store
from tests.serve_fixtures import TWILIO_ENV, clean_env, vtctl_command

PROCESS_TIMEOUT = 90


def _spawn(args: list[str], home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*vtctl_command(), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**clean_env(home), **TWILIO_ENV})


def _finish(procs: list[tuple[list[str], subprocess.Popen[str]]]) -> list[tuple[str, str]]:
    outputs = []
    for args, proc in procs:
        out, err = proc.communicate(timeout=PROCESS_TIMEOUT)
        assert proc.returncode == 0, (args, err)
        assert "locked" not in err.lower() and "busy" not in err.lower(), err
        outputs.append((out, err))
    return outputs


def _import_file(path: Path, ids: range) -> Path:
    document = {"users": [JANE, SARAH, OUTSIDER],
                "appointments": [appointment(i, room=None) for i in ids]}
    path.write_text(json.dumps(document))
    return path


def _stored(store: Path) -> dict[int, Any]:
    from vtctl.local.store import AppointmentStore

    with AppointmentStore.open(store) as opened:
        return {a.id: a for a in opened.list_appointments()}


def test_many_processes_create_one_store_at_once(tmp_path: Path) -> None:
    store = tmp_path / "fresh" / "store.sqlite3"  # does not exist yet: every process races
    source = _import_file(tmp_path / "a.json", range(1, 11))
    procs = [(args, _spawn(args, tmp_path)) for args in
             [["appointment", "import", str(source), "--store", str(store), "--json"]] * 8]
    outputs = _finish(procs)
    added = [json.loads(out)["added"] for out, _ in outputs]
    assert sum(1 for n in added if n > 0) >= 1
    assert sorted(_stored(store)) == list(range(1, 11))


def test_mixed_writers_lose_no_write(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store.sqlite3", *[appointment(i, room=None)
                                                     for i in range(1, 41)])
    adds, imports, rooms = 8, 4, range(1, 13)
    commands: list[list[str]] = []
    commands += [["appointment", "add", "--patient", "2", "--psychologist", "5", "--duration",
                  "30", "--json", "--store", str(store)]] * adds
    for n in range(imports):
        source = _import_file(tmp_path / f"import-{n}.json", range(1000 + 100 * n, 1020 + 100 * n))
        commands.append(["appointment", "import", str(source), "--store", str(store)])
    commands += [["room", "create", str(i), "--local", "--json", "--store", str(store)]
                 for i in rooms]
    commands += [["appointment", "list", "--json", "--store", str(store)]] * 4
    procs = [(args, _spawn(args, tmp_path)) for args in commands]
    outputs = _finish(procs)

    added_ids = [json.loads(out)["id"] for out, _ in outputs[:adds]]
    assert len(set(added_ids)) == adds  # every add got its own next id: none was lost
    stored = _stored(store)
    assert len(stored) == 40 + adds + imports * 20
    assert set(added_ids) <= set(stored)
    for i in rooms:
        assert stored[i].video_room_id and stored[i].video_room_id.startswith(f"apt-{i}-")
    created_rooms = [json.loads(out) for out, _ in outputs[adds + imports: adds + imports + 12]]
    assert all(r["created"] for r in created_rooms)
    assert {r["room_name"] for r in created_rooms} == {stored[i].video_room_id for i in rooms}


def test_room_create_raced_by_many_processes_makes_one_room(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store.sqlite3", appointment(48, room=None))
    args = ["room", "create", "48", "--local", "--json", "--store", str(store)]
    procs = [(args, _spawn(args, tmp_path)) for _ in range(12)]
    rooms = [json.loads(out) for out, _ in _finish(procs)]
    assert sum(r["created"] for r in rooms) == 1
    assert len({r["room_name"] for r in rooms}) == 1
    assert _stored(store)[48].video_room_id == rooms[0]["room_name"]


def test_room_create_raced_by_threads_on_separate_connections(tmp_path: Path) -> None:
    from vtctl.local.engine import TokenEngine
    from vtctl.local.store import AppointmentStore

    store = make_store(tmp_path / "store.sqlite3", appointment(48, room=None))
    workers = 16
    barrier = threading.Barrier(workers)
    results: list[Any] = []
    errors: list[BaseException] = []

    def race(n: int) -> None:
        try:
            with AppointmentStore.open(store) as opened:
                engine = TokenEngine(opened, lambda: None,  # type: ignore[arg-type,return-value]
                                     clock=lambda: 1_763_000_000.0 + n)
                barrier.wait(timeout=30)
                results.append(engine.create_room(48))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == workers
    assert sum(r.created for r in results) == 1  # every thread had its own candidate name
    assert len({r.room_name for r in results}) == 1
