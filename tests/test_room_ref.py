"""``ROOM`` arguments: the three accepted forms, and a usage error naming them."""

from __future__ import annotations

import pytest

from vtctl.domain.errors import UsageError
from vtctl.domain.room_ref import RoomRef, parse_room_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("47", RoomRef("47", appointment_id=47)),
        (" 0047 ", RoomRef("0047", appointment_id=47)),
        ("1", RoomRef("1", appointment_id=1)),
        (str(2**63 - 1), RoomRef(str(2**63 - 1), appointment_id=2**63 - 1)),
        ("apt-47-1763138954-46eb915c",
         RoomRef("apt-47-1763138954-46eb915c", appointment_id=47,
                 room_name="apt-47-1763138954-46eb915c")),
        ("RM" + "A" * 32, RoomRef("RM" + "A" * 32, room_sid="RM" + "a" * 32)),
    ],
)
def test_accepted_forms(text: str, expected: RoomRef) -> None:
    assert parse_room_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "0", "-1", str(2**63), "x" * 5000, "apt-0-1-46eb915c", "apt-47-1763138954-46EB915C",
     "apt-47-1763138954-46eb915", "RM" + "a" * 31, "RM" + "g" * 32, "CA" + "a" * 32, "٤٧"],
)
def test_anything_else_is_a_usage_error_naming_the_forms(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_room_ref(text)
    message = str(caught.value)
    assert "appointment id" in message and "room name" in message and "room SID" in message
    assert len(message) < 300


def test_kind() -> None:
    assert parse_room_ref("47").kind == "appointment"
    assert parse_room_ref("apt-47-1763138954-46eb915c").kind == "name"
    assert parse_room_ref("RM" + "0" * 32).kind == "sid"


def test_remote_backend_resolves_ids_and_names_and_refuses_a_sid() -> None:
    from vtctl.backends.remote import RemoteBackend

    backend = RemoteBackend.__new__(RemoteBackend)  # resolve_room needs no client
    assert backend.resolve_room(parse_room_ref("apt-48-1763138954-46eb915c")) == 48
    assert backend.resolve_room(parse_room_ref("47")) == 47
    with pytest.raises(UsageError, match="only be looked up in Twilio") as caught:
        backend.resolve_room(parse_room_ref("RM" + "0" * 32))
    assert "--local" in (caught.value.hint or "")
