"""The guide's error texts are stated once, on the error classes, and every layer says them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import appointment, make_store
from vtctl.domain.errors import (
    AppointmentNotFoundError,
    NoVideoRoomError,
    PermissionDeniedError,
    TokenGenerationError,
    VtctlError,
)

GUIDE = {  # /work/shared/spec/video-token-endpoint.md, "Error Responses"
    AppointmentNotFoundError: "Appointment not found",
    PermissionDeniedError: "Permission denied",
    NoVideoRoomError: "No video room found for this appointment",
    TokenGenerationError: "Failed to generate access token",
}


@pytest.mark.parametrize(("error", "text"), list(GUIDE.items()))
def test_each_error_carries_the_guides_text(error: type[VtctlError], text: str) -> None:
    assert error.guide_text == text
    assert error().message == text


def test_an_error_without_a_guide_text_needs_a_message() -> None:
    with pytest.raises(TypeError):
        VtctlError()


def test_no_video_room_names_the_command_that_creates_one() -> None:
    error = NoVideoRoomError.of(47)
    assert error.message == GUIDE[NoVideoRoomError]
    assert error.hint == "create one with `vtctl room create 47`"


def test_the_store_and_the_local_backend_say_the_guides_words(tmp_path: Path) -> None:
    from vtctl.backends.local import LocalBackend
    from vtctl.local.store import AppointmentStore

    make_store(tmp_path / "s.sqlite3", appointment(47))
    store = AppointmentStore.open(tmp_path / "s.sqlite3")
    try:
        with pytest.raises(AppointmentNotFoundError) as by_store:
            store.set_room_if_absent(999, "apt-999-1-deadbeef")
        with pytest.raises(AppointmentNotFoundError) as by_backend:
            LocalBackend(store).appointment(999)
    finally:
        store.close()
    assert by_store.value.message == by_backend.value.message == GUIDE[AppointmentNotFoundError]
