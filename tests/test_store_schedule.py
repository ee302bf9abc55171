"""The store's window/user query (``vtctl sessions``, ``appointment list --user/--from/--to``)
on a real SQLite store: overlap at the edges, across midnight UTC, by id or email."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers import JANE, OUTSIDER, SARAH, appointment, store_from_document
from vtctl.domain.errors import UserNotFoundError
from vtctl.local.appointment_query import AppointmentQuery
from vtctl.local.schedule import appointment_query
from vtctl.local.store import AppointmentStore


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AppointmentStore]:
    document = {
        "users": [JANE, SARAH, OUTSIDER],
        "appointments": [
            appointment(1, duration=60, starts_at="2025-11-16T23:30:00Z"),  # across midnight
            appointment(2, duration=60, starts_at="2025-11-16T23:00:00Z"),  # ends at 00:00
            appointment(3, duration=30, starts_at="2025-11-17T00:00:00Z"),  # starts at 00:00
            appointment(4, duration=0, starts_at="2025-11-17T09:00:00Z"),   # zero minutes
            appointment(5, duration=45, starts_at=None),                   # no start time
            appointment(6, duration=50, starts_at="2025-11-17T08:00:00Z", patient_id=9),
        ],
    }
    path = store_from_document(tmp_path / "store.sqlite3", document)
    opened = AppointmentStore.open(path, create=False)
    yield opened
    opened.close()


def ids(store: AppointmentStore, query: AppointmentQuery) -> list[int]:
    found = [a.id for a in store.iter_matching(query)]
    assert store.count_matching(query) == len(found)
    return found


def test_a_day_holds_what_overlaps_it_including_across_midnight(store: AppointmentStore) -> None:
    day_16 = AppointmentQuery(start=at("2025-11-16T00:00:00"), end=at("2025-11-17T00:00:00"))
    day_17 = AppointmentQuery(start=at("2025-11-17T00:00:00"), end=at("2025-11-18T00:00:00"))
    assert ids(store, day_16) == [2, 1]  # by start time
    # 1 runs 23:30-00:30: in both days; 2 ends exactly at midnight: not in the 17th
    assert ids(store, day_17) == [1, 3, 6, 4]


def test_window_edges_are_half_open(store: AppointmentStore) -> None:
    # [00:30, 09:00): 1 ends at 00:30 (out), 4 starts at 09:00 (out)
    assert ids(store, AppointmentQuery(start=at("2025-11-17T00:30:00"),
                                       end=at("2025-11-17T09:00:00"))) == [6]
    # a zero-minute appointment is in a window that holds its start
    assert ids(store, AppointmentQuery(start=at("2025-11-17T09:00:00"),
                                       end=at("2025-11-17T09:00:01"))) == [4]


def test_open_ended_bounds_and_no_start_time(store: AppointmentStore) -> None:
    assert ids(store, AppointmentQuery(start=at("2025-11-17T08:30:00"))) == [6, 4]
    assert ids(store, AppointmentQuery(end=at("2025-11-16T23:30:00"))) == [2]
    # without a time bound every appointment matches, by id, those without a start too
    assert ids(store, AppointmentQuery()) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("ref", ["9", "outsider@example.com", "OUTSIDER@Example.com", " 9 "])
def test_a_user_by_id_or_email(store: AppointmentStore, ref: str) -> None:
    assert ids(store, appointment_query(store, ref)) == [6]


def test_a_psychologist_sees_all_theirs_and_a_window_narrows_it(store: AppointmentStore) -> None:
    assert ids(store, appointment_query(store, "sarah@example.com")) == [1, 2, 3, 4, 5, 6]
    query = appointment_query(store, "5", at("2025-11-17T00:00:00"), at("2025-11-17T01:00:00"))
    assert ids(store, query) == [1, 3]


@pytest.mark.parametrize("ref", ["404", "nobody@example.com", "9" * 30])
def test_an_unknown_user_is_not_found(store: AppointmentStore, ref: str) -> None:
    with pytest.raises(UserNotFoundError, match="no stored user") as caught:
        appointment_query(store, ref)
    assert caught.value.exit_code == 5


def test_limit_keeps_the_order(store: AppointmentStore) -> None:
    query = AppointmentQuery(start=at("2025-11-16T00:00:00"))
    assert [a.id for a in store.iter_matching(query, limit=3)] == [2, 1, 3]
