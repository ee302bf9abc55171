"""One duration format for every view."""

import pytest

from vtctl.util.timefmt import humanize_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (59.9, "59 s"), (60, "1 min"), (5399, "1 h 29 min"), (5400, "1 h 30 min"),
     (7200, "2 h 00 min"), (-720, "12 min"), (86_400 + 3 * 3600, "1 d 3 h")],
)
def test_humanize_duration(seconds: float, text: str) -> None:
    assert humanize_duration(seconds) == text
