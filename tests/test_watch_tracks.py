"""``status --watch`` reports track changes (published, unpublished, muted, unmuted)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from vtctl.cli.status import WatchState
from vtctl.domain.room_state import Participant, PublishedTrack, RoomStatus
from vtctl.ui.render.status import track_changes

JANE = "2-jane.doe@example.com"
T0 = datetime(2025, 11, 16, 9, 0, tzinfo=UTC)
MIC = PublishedTrack("audio", "mic", "MT1", True)
CAM = PublishedTrack("video", "camera", "MT2", True)


def room(*tracks: PublishedTrack, asked: bool = True) -> RoomStatus:
    jane = Participant(JANE, "connected", "PA1", "patient", T0,
                       tracks=tuple(tracks) if asked else None)
    return RoomStatus(47, "apt-47-1763138954-46eb915c", "in-progress", participants=(jane,))


def events(*rooms: RoomStatus) -> list[tuple[str, str]]:
    state = WatchState(47)
    seen = []
    for i, status in enumerate(rooms):
        seen += state.step(status, T0 + timedelta(seconds=3 * i))
    return [(e.kind, e.text) for e in seen if e.kind not in ("status",)]


def test_published_muted_unmuted_unpublished_are_events() -> None:
    muted = replace(CAM, enabled=False)
    assert events(room(MIC), room(MIC, CAM), room(MIC, muted), room(MIC, CAM), room(CAM)) == [
        ("published", f"{JANE} (patient): video camera"),
        ("muted", f"{JANE} (patient): video camera"),
        ("unmuted", f"{JANE} (patient): video camera"),
        ("unpublished", f"{JANE} (patient): audio mic"),
    ]


def test_tracks_not_asked_are_no_change() -> None:
    # a refresh without track information (tracks None) must not look like an unpublish
    assert events(room(MIC, CAM), room(asked=False), room(MIC, CAM)) == []
    assert track_changes(None, room(MIC)) == []


def test_the_lines_output_shows_track_events() -> None:
    import io

    from vtctl.cli.status import watch
    from vtctl.ui.iostreams import IOStreams

    results = iter([room(MIC), room(replace(MIC, enabled=False))])
    out = io.StringIO()
    streams = IOStreams(out=out, err=io.StringIO(), force_terminal=False, width=160)
    watch(lambda: next(results), streams, 47, 1.0, sleep=lambda s: None,
          clock=lambda: T0, max_ticks=2)
    assert f"\tmuted\t{JANE} (patient): audio mic\n" in out.getvalue()
