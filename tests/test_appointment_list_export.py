"""`appointment list` pages like gh, `appointment export` round-trips through
`appointment import`, and import takes `appointment show --json` and names the line
of an unknown user."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import JANE, OUTSIDER, SARAH, appointment, make_store, store_from_document

Cli = Callable[..., Any]


@pytest.fixture
def forty(tmp_path: Path) -> Path:
    """40 appointments, some without room or start, a user name outside ASCII."""
    document = {
        "users": [JANE, SARAH, {**OUTSIDER, "name": "Olly Ünal"}],
        "appointments": [
            appointment(i, room=None if i % 3 else f"apt-{i}-1763138954-46eb915c",
                        starts_at=None if i % 5 == 0 else "2025-11-16T09:00:00Z")
            for i in range(1, 41)
        ],
    }
    return store_from_document(tmp_path / "s.sqlite3", document)


def test_export_round_trips_through_import(cli: Cli, forty: Path, tmp_path: Path) -> None:
    exported = cli("appointment", "export", "--store", str(forty))
    assert exported.exit_code == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert len(document["appointments"]) == 40 and len(document["users"]) == 3
    again = cli("appointment", "import", "-", "--store", str(forty), "--json",
                stdin=exported.stdout)
    assert json.loads(again.stdout)["unchanged"] == 43  # nothing differs from the store
    copy = tmp_path / "copy.sqlite3"
    assert cli("appointment", "import", "-", "--store", str(copy),
               stdin=exported.stdout).exit_code == 0
    assert cli("appointment", "export", "--store", str(copy)).stdout == exported.stdout


def test_export_of_a_missing_store_creates_nothing(cli: Cli, tmp_path: Path) -> None:
    result = cli("appointment", "export", "--store", str(tmp_path / "no.sqlite3"))
    assert result.exit_code == 2
    assert not (tmp_path / "no.sqlite3").exists()


def test_show_json_is_accepted_by_import(cli: Cli, tmp_path: Path) -> None:
    source = make_store(tmp_path / "a.sqlite3")
    shown = cli("appointment", "show", "47", "--local", "--json", "--store", str(source))
    target = tmp_path / "b.sqlite3"
    result = cli("appointment", "import", "-", "--store", str(target), stdin=shown.stdout)
    assert result.exit_code == 0, result.stderr
    again = cli("appointment", "show", "47", "--local", "--json", "--store", str(target))
    assert json.loads(again.stdout) == json.loads(shown.stdout)


def test_show_json_with_a_mismatched_embedded_user_is_refused(cli: Cli, tmp_path: Path) -> None:
    document = {**appointment(47), "patient": {**JANE, "id": 3}}
    result = cli("appointment", "import", "-", "--store", str(tmp_path / "s.sqlite3"),
                 stdin=json.dumps(document))
    assert result.exit_code == 2
    assert "appointment.patient.id: 3 is not the patient_id" in result.stderr


def test_an_unknown_user_is_named_with_its_line(cli: Cli, tmp_path: Path) -> None:
    document = {"users": [JANE, SARAH], "appointments": [appointment(47),
                                                        appointment(48, patient_id=99)]}
    source = tmp_path / "a.json"
    source.write_text(json.dumps(document, indent=1))
    line = next(i for i, text in enumerate(source.read_text().splitlines(), 1)
                if '"patient_id": 99' in text)
    result = cli("appointment", "import", str(source), "--store", str(tmp_path / "s.sqlite3"))
    assert result.exit_code == 2
    assert f"line {line}: appointments[1].patient_id: no user 99" in result.stderr


def test_list_pages_like_gh_in_a_pipe(cli: Cli, forty: Path) -> None:
    first = cli("appointment", "list", "--store", str(forty))
    lines = first.stdout.splitlines()
    assert len(lines) == 30
    assert lines[0].split("\t") == ["1", "2", "5", "60", "2025-11-16T09:00:00Z", "-"]
    assert lines[2].split("\t")[-1] == "apt-3-1763138954-46eb915c"
    assert "showing 30 of 40" in first.stderr
    assert len(cli("appointment", "list", "--limit", "5", "--store", str(forty))
               .stdout.splitlines()) == 5
    every = cli("appointment", "list", "--all", "--store", str(forty))
    assert len(every.stdout.splitlines()) == 40 and every.stderr == ""


def test_list_json_streams_a_valid_document(cli: Cli, forty: Path) -> None:
    page = json.loads(cli("appointment", "list", "--json", "--store", str(forty)).stdout)
    assert [a["id"] for a in page] == list(range(1, 31))
    every = json.loads(cli("appointment", "list", "--all", "--json", "--store",
                           str(forty)).stdout)
    assert len(every) == 40 and every[0]["patient"]["email"] == JANE["email"]
    selected = cli("appointment", "list", "--all", "--json", "id", "--store", str(forty))
    assert json.loads(selected.stdout)[-1] == {"id": 40}


def test_list_on_a_terminal_is_a_table(forty: Path) -> None:
    from vtctl.cli.framework.app import run
    from vtctl.ui.iostreams import IOStreams

    out, err = io.StringIO(), io.StringIO()
    streams = IOStreams(out=out, err=err, stdin=io.StringIO(), force_terminal=True)
    assert run(["appointment", "list", "--store", str(forty)], io=streams) == 0
    assert "40 appointment(s)" in out.getvalue() and "Jane Doe (2)" in out.getvalue()
    assert "showing 30 of 40" in err.getvalue()
