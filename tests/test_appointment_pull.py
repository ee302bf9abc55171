"""``vtctl appointment pull ID...`` against a real ``vtctl serve``, then minting offline."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOM_47, decode
from tests.serve_fixtures import ROOM_49, TWILIO_ENV, RunningServer, start_server
from vtctl.cli.appointment.pull import PullOptions, run_pull
from vtctl.config.settings import BackendOptions, resolve_settings
from vtctl.domain.errors import MalformedResponseError
from vtctl.domain.models import Appointment
from vtctl.local.store import AppointmentStore
from vtctl.ui.iostreams import IOStreams

Vtctl = Any


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    running = start_server(tmp_path_factory.mktemp("pull-serve"))
    yield running
    running.stop()


def remote_env(server: RunningServer, user_id: int = 2) -> dict[str, str]:
    return {"VTCTL_BASE_URL": server.url, "VTCTL_JWT": server.jwt(user_id)}


def test_pull_then_mint_offline_after_the_server_stops(vtctl: Vtctl, tmp_path: Path) -> None:
    server = start_server(tmp_path / "serve")
    local = tmp_path / "offline" / "store.sqlite3"
    pulled = vtctl("appointment", "pull", "47", "49", "48", "--store", str(local),
                   env=remote_env(server))
    assert pulled.returncode == 0, pulled.stderr
    assert "pulled 3 of 3" in pulled.stderr
    assert server.stop() == 0

    with AppointmentStore.open(local) as store:
        assert [a.id for a in store.list_appointments()] == [47, 48, 49]
        stored = store.get_appointment(49)
        assert stored is not None and stored.video_room_id == ROOM_49
        assert stored.patient is not None and stored.patient.email == "jane.doe@example.com"
        assert stored.psychologist is not None and stored.psychologist.role == "psychologist"
    minted = vtctl("token", "47", "--local", "--as", "sarah@example.com", "--json",
                   "--store", str(local), env=TWILIO_ENV)
    assert minted.returncode == 0, minted.stderr
    document = json.loads(minted.stdout)
    assert document["room_name"] == ROOM_47
    assert decode(document["access_token"])[1]["grants"]["identity"] == "5-sarah@example.com"


def test_partial_failure_stores_the_rest_and_exits_with_the_first_code(
    vtctl: Vtctl, server: RunningServer, tmp_path: Path
) -> None:
    local = tmp_path / "store.sqlite3"
    result = vtctl("appointment", "pull", "999", "47", "50", "--json", "--store", str(local),
                   env=remote_env(server))
    assert result.returncode == 5, result.stderr
    document = json.loads(result.stdout)
    assert document["pulled"] == [47, 50]
    assert document["failed"] == [
        {"id": 999, "error": "Appointment not found", "exit_code": 5}
    ]
    assert "appointment 999: Appointment not found" in result.stderr
    with AppointmentStore.open(local) as store:
        assert [a.id for a in store.list_appointments()] == [47, 50]


def test_permission_denied_is_exit_4(vtctl: Vtctl, server: RunningServer, tmp_path: Path) -> None:
    result = vtctl("appointment", "pull", "47", "--store", str(tmp_path / "s.sqlite3"),
                   env=remote_env(server, user_id=9))
    assert result.returncode == 4
    assert "appointment 47: Permission denied" in result.stderr


class IdsOnly:
    """A backend whose appointment detail names the users by id only."""

    name = "remote"

    def appointment(self, appointment_id: int) -> Appointment:
        return Appointment(appointment_id, 2, 5, 60, video_room_id=ROOM_47)

    def close(self) -> None:
        pass


def test_a_reply_without_the_users_is_refused(tmp_path: Path) -> None:
    settings = resolve_settings(BackendOptions(store=str(tmp_path / "s.sqlite3")), env={})
    err = io.StringIO()
    with pytest.raises(MalformedResponseError, match="patient by id only"):
        run_pull(PullOptions(
            io=IOStreams(out=io.StringIO(), err=err), settings=settings,
            open_remote=IdsOnly, appointment_ids=[47],  # type: ignore[arg-type]
        ))
    with AppointmentStore.open(tmp_path / "s.sqlite3") as store:
        assert store.list_appointments() == []
